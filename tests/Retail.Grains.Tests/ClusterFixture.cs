using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using Retail.Grains.Tests;

[assembly: RegisterProvider(ClusterFixture.TestStorageProvider.ProviderType, "GrainStorage", "Silo", typeof(ClusterFixture.TestStorageProvider))]

namespace Retail.Grains.Tests;

/// <summary>
/// One in-process Orleans test cluster shared by every grain test, with in-memory storage and reminders; the inventory
/// storage is <see cref="TestGrainStorage"/>, so that tests can slow down or fail an inventory grain's writes.
/// </summary>
public sealed class ClusterFixture() : TestClusterFixture<ClusterFixture.SiloConfigurator>(2)
{
    /// <summary>Every message the grains published, shared by the silos of the cluster.</summary>
    public static RecordingPublisher Published { get; } = new();

    public sealed class SiloConfigurator : TestSiloConfigurator
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            GrainStorage(StorageNames.Inventory, TestStorageProvider.ProviderType),
            new("Reservations:PaymentTimeout", "00:00:03"),
            new("Reservations:HolderCheckAfter", "00:00:05"),
        ];

        protected override RecordingPublisher Publisher => Published;
    }

    /// <summary><see cref="TestGrainStorage"/> as the grain storage provider type <see cref="ProviderType"/>.</summary>
    internal sealed class TestStorageProvider : TestGrainStorageProvider
    {
        public const string ProviderType = "RetailTestGrainStorage";

        protected override IGrainStorage Create(IServiceProvider services) => new TestGrainStorage(services.GetRequiredService<DeepCopier>());
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
