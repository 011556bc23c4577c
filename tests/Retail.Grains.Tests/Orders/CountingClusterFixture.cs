using Orleans.Storage;
using Retail.Grains.Tests.Orders;

[assembly: RegisterProvider(CountingClusterFixture.CountingStorageProvider.ProviderType, "GrainStorage", "Silo", typeof(CountingClusterFixture.CountingStorageProvider))]

namespace Retail.Grains.Tests.Orders;

/// <summary>A one-silo test cluster whose grain storage counts durable writes and keeps state as JSON.</summary>
public sealed class CountingClusterFixture() : TestClusterFixture<CountingClusterFixture.SiloConfigurator>(1)
{
    /// <summary>The storage behind every provider name of the cluster.</summary>
    public static CountingGrainStorage Storage { get; } = new();

    public static RecordingPublisher Published { get; } = new();

    public sealed class SiloConfigurator : TestSiloConfigurator
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            StorageNames.All.Select(name => GrainStorage(name, CountingStorageProvider.ProviderType));

        protected override RecordingPublisher Publisher => Published;
    }

    /// <summary><see cref="Storage"/> as the grain storage provider type <see cref="ProviderType"/>.</summary>
    internal sealed class CountingStorageProvider : TestGrainStorageProvider
    {
        public const string ProviderType = "RetailCountingGrainStorage";

        protected override IGrainStorage Create(IServiceProvider services) => Storage;
    }
}

[CollectionDefinition(Name)]
public sealed class CountingClusterCollection : ICollectionFixture<CountingClusterFixture>
{
    public const string Name = "counting cluster";
}
