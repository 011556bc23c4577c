using System.Diagnostics;
using Retail.Contracts.Exceptions;
using Retail.Grains.Tests.Orders;
using Xunit.Abstractions;

namespace Retail.Grains.Tests.Exceptions;

/// <summary>How exception raises reach storage, counted by the storage itself.</summary>
[Collection(CountingClusterCollection.Name)]
public sealed class ExceptionGrainStorageTests(CountingClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Raise_ThousandAtOnceOnThousandKeys_WritesEachKeysOwnGrainOnceAndNoSharedGrain()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => $"order-{Guid.NewGuid():N}").ToList();
        var before = CountingClusterFixture.Storage.WritesOf("exceptions");
        var watch = Stopwatch.StartNew();

        var records = await Task.WhenAll(keys.Select(key =>
            fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.Backordered, BusinessKey = key, Reason = "sold out" })));

        watch.Stop();
        var writes = keys.Select(key => CountingClusterFixture.Storage.WritesOf("exceptions", ExceptionKey.For(key))).ToList();
        output.WriteLine($"1000 raises on 1000 keys: {CountingClusterFixture.Storage.WritesOf("exceptions") - before} writes of exception state, "
            + $"{writes.Count(w => w > 0)} grains written, at most {writes.Max()} write(s) per grain, {watch.ElapsedMilliseconds} ms");
        Assert.Equal(1000, records.Select(r => r.Id).Distinct().Count());
        Assert.All(writes, w => Assert.Equal(1, w));
        Assert.Equal(1000, CountingClusterFixture.Storage.WritesOf("exceptions") - before);
        Assert.All(records.Zip(keys), pair => Assert.Equal(ExceptionKey.For(pair.Second), ExceptionKey.OfRecord(pair.First.Id)));
    }
}
