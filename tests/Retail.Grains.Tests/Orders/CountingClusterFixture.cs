using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.TestingHost;
using Retail.Grains.Outbox;
using Retail.Messaging;

namespace Retail.Grains.Tests.Orders;

/// <summary>A one-silo test cluster whose grain storage counts durable writes and keeps state as JSON.</summary>
public sealed class CountingClusterFixture() : TestClusterFixture<CountingClusterFixture.SiloConfigurator>(1)
{
    /// <summary>The storage behind every provider name of the cluster.</summary>
    public static CountingGrainStorage Storage { get; } = new();

    public static RecordingPublisher Published { get; } = new();

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            foreach (var name in StorageNames.All)
            {
                siloBuilder.Services.AddGrainStorage(name, (_, _) => Storage);
            }
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.AddRetailOutboxRelay(siloBuilder.Configuration);
            siloBuilder.ConfigureServices(services => services.AddSingleton<IMessagePublisher>(Published));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CountingClusterCollection : ICollectionFixture<CountingClusterFixture>
{
    public const string Name = "counting cluster";
}
