using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;
using Retail.Grains.Outbox;
using Retail.Messaging;

namespace Retail.Grains.Tests;

/// <summary>
/// One in-process Orleans test cluster shared by every grain test, with in-memory storage and reminders; the inventory
/// storage is <see cref="TestGrainStorage"/>, so that tests can slow down or fail an inventory grain's writes.
/// </summary>
public sealed class ClusterFixture() : TestClusterFixture<ClusterFixture.SiloConfigurator>(2)
{
    /// <summary>Every message the grains published, shared by the silos of the cluster.</summary>
    public static RecordingPublisher Published { get; } = new();

    public sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            foreach (var name in StorageNames.All.Where(n => n != StorageNames.Inventory))
            {
                siloBuilder.AddMemoryGrainStorage(name);
            }
            siloBuilder.Services.AddGrainStorage(StorageNames.Inventory, (services, _) => new TestGrainStorage(services.GetRequiredService<DeepCopier>()));
            siloBuilder.UseInMemoryReminderService();
            siloBuilder.AddRetailOutboxRelay(siloBuilder.Configuration);
            siloBuilder.ConfigureServices(services => services.AddSingleton<IMessagePublisher>(Published));
            siloBuilder.Configuration["Reservations:PaymentTimeout"] = "00:00:03";
            siloBuilder.Configuration["Reservations:HolderCheckAfter"] = "00:00:05";
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
