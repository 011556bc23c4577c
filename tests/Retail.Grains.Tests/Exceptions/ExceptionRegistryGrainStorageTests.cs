using Retail.Contracts.Exceptions;
using Retail.Grains.Tests.Orders;

namespace Retail.Grains.Tests.Exceptions;

/// <summary>How the registry's changes reach storage, counted by the storage itself.</summary>
[Collection(CountingClusterCollection.Name)]
public sealed class ExceptionRegistryGrainStorageTests(CountingClusterFixture fixture)
{
    private IExceptionRegistryGrain Registry => fixture.Grains.GetGrain<IExceptionRegistryGrain>(IExceptionRegistryGrain.Key);

    [Fact]
    public async Task Raise_FortyAtOnce_ShareWritesAndAreAllStored()
    {
        var keys = Enumerable.Range(0, 40).Select(_ => $"order-{Guid.NewGuid():N}").ToList();
        await Registry.ListAsync(new ExceptionQuery { Limit = 1 });
        var before = CountingClusterFixture.Storage.WritesOf("exceptions");

        var records = await Task.WhenAll(keys.Select(key =>
            Registry.RaiseAsync(new ExceptionToRaise { Kind = ExceptionKinds.Backordered, BusinessKey = key, Reason = "sold out" })));

        Assert.Equal(40, records.Select(r => r.Id).Distinct().Count());
        Assert.InRange(CountingClusterFixture.Storage.WritesOf("exceptions") - before, 1, 20);
        var stored = CountingClusterFixture.Storage.JsonOf("exceptions", IExceptionRegistryGrain.Key)!;
        Assert.All(keys, key => Assert.Contains($"\"businessKey\":\"{key}\"", stored, StringComparison.Ordinal));
    }
}
