using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.TestingHost;
using Retail.Messaging;

namespace Retail.Grains.Tests.Orders;

/// <summary>A one-silo test cluster whose grain storage counts durable writes and keeps state as JSON.</summary>
public sealed class CountingClusterFixture : IAsyncLifetime
{
    /// <summary>The storage behind every provider name of the cluster.</summary>
    public static CountingGrainStorage Storage { get; } = new();

    public static RecordingPublisher Published { get; } = new();

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(initialSilosCount: 1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            foreach (var name in StorageNames.All)
            {
                siloBuilder.Services.AddGrainStorage(name, (_, _) => Storage);
            }
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.ConfigureServices(services => services.AddSingleton<IMessagePublisher>(Published));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CountingClusterCollection : ICollectionFixture<CountingClusterFixture>
{
    public const string Name = "counting cluster";
}
