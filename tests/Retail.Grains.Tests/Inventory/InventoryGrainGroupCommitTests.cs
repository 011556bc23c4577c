using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Inventory;
using Retail.Grains.Inventory;
using Xunit.Abstractions;

namespace Retail.Grains.Tests.Inventory;

/// <summary>
/// A flash sale on one position whose storage is slow: concurrent reservations share writes, and every answer, event
/// and report stands on a durable write.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class InventoryGrainGroupCommitTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan WriteDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Reserve_ManyConcurrentOnASlowStore_ShareWritesAndNeverOversell()
    {
        var position = await SlowPositionAsync(onHand: 150);
        var writesBefore = position.Stored.WritesStarted;

        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => ReserveOneAsync(position.Grain, $"o{i}")));

        var writes = position.Stored.WritesStarted - writesBefore;
        var acknowledged = results.Where(r => r.Result.Reserved).Select(r => $"{r.Id}/1").ToList();
        output.WriteLine($"{writes} writes for {acknowledged.Count} reservations ({results.Length} requests)");
        Assert.Equal(150, acknowledged.Count);
        Assert.All(results, r => Assert.True(r.Result.Available >= 0, $"{r.Id} was answered with {r.Result.Available} available"));
        var durable = Durable(position);
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), durable.Reservations.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((150, 150, 0), (durable.OnHand, durable.Reserved, durable.Available));
        Assert.True(writes * 2 < acknowledged.Count, $"{writes} writes for {acknowledged.Count} reservations");
        var events = await EventsAsync(position.Key, count: 151);
        Assert.Equal(Enumerable.Range(1, 151).Select(n => (long)n), events.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(0, 151), events.Select(e => Data(e).Reserved));
        var availability = fixture.Grains.GetGrain<ISkuAvailabilityGrain>(position.Sku);
        Assert.True(await EventuallyAsync(async () => (await availability.GetAsync()).Locations.Single().Reserved == 150), "the SKU's availability did not hear of the last write");
    }

    [Fact]
    public async Task Reserve_SameIdConcurrently_ReservesOnceAndAnswersEveryCallerAlike()
    {
        var position = await SlowPositionAsync(onHand: 10);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => position.Grain.ReserveAsync(Request("o1", 3))));

        Assert.All(results, r => Assert.Equal((true, 3, 7), (r.Reserved, r.Quantity, r.Available)));
        var durable = Durable(position);
        Assert.Equal(["o1/1"], durable.Reservations.Keys);
        Assert.Equal(3, durable.Reserved);
        var events = await EventsAsync(position.Key, count: 2);
        Assert.Equal(["stock-set", "reserved"], events.Select(e => Data(e).Reason));
    }

    [Fact]
    public async Task Reserve_WriteFails_FailsExactlyTheCallersWhoseChangeItDiscardedAndTheirRetrySucceeds()
    {
        var position = await SlowPositionAsync(onHand: 500);
        position.Stored.FailingWrite = position.Stored.WritesStarted + 2;
        var ids = Enumerable.Range(0, 200).Select(i => $"o{i}").ToList();

        var outcomes = await Task.WhenAll(ids.Select(id => TryReserveOneAsync(position.Grain, id)));
        var failed = outcomes.Where(o => !o.Acknowledged).Select(o => o.Id).ToList();
        var durableAfterFailure = Durable(position).Reservations.Keys.ToHashSet(StringComparer.Ordinal);
        var retried = await Task.WhenAll(failed.Select(id => ReserveOneAsync(position.Grain, id)));
        var repeated = await Task.WhenAll(ids.Select(id => ReserveOneAsync(position.Grain, id)));

        output.WriteLine($"{failed.Count} of {ids.Count} reservations failed with the write");
        Assert.NotEmpty(failed);
        Assert.All(outcomes, o => Assert.Equal(o.Acknowledged, durableAfterFailure.Contains($"{o.Id}/1")));
        Assert.All(retried, r => Assert.Equal((true, 1), (r.Result.Reserved, r.Result.Quantity)));
        Assert.All(repeated, r => Assert.Equal((true, 1), (r.Result.Reserved, r.Result.Quantity)));
        var durable = Durable(position);
        Assert.Equal((500, 200, 300), (durable.OnHand, durable.Reserved, durable.Available));
        Assert.Equal(200, (await position.Grain.GetAsync()).Reserved);
        var events = await EventsAsync(position.Key, count: 201);
        Assert.Equal(Enumerable.Range(1, 201).Select(n => (long)n), events.Select(e => e.Sequence));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Enumerable.Range(0, 201), events.Select(e => Data(e).Reserved));
    }

    private async Task<SlowPosition> SlowPositionAsync(int onHand)
    {
        var sku = $"SKU-{Guid.NewGuid():N}";
        var key = InventoryKey.For(sku, "wh-1");
        var grain = fixture.Grains.GetGrain<IInventoryGrain>(key);
        await grain.SetStockAsync(onHand, 0);
        var stored = TestGrainStorage.Grain("inventory", key);
        stored.WriteDelay = WriteDelay;
        return new SlowPosition(sku, key, grain, stored);
    }

    private static async Task<(string Id, ReservationResult Result)> ReserveOneAsync(IInventoryGrain grain, string orderId) =>
        (orderId, await grain.ReserveAsync(Request(orderId, 1)));

    private static async Task<(string Id, bool Acknowledged)> TryReserveOneAsync(IInventoryGrain grain, string orderId)
    {
        try
        {
            var result = await grain.ReserveAsync(Request(orderId, 1));
            Assert.True(result.Reserved);
            return (orderId, true);
        }
        catch (OrleansException failure) when (failure.InnerException is IOException)
        {
            return (orderId, false);
        }
    }

    private static ReservationRequest Request(string orderId, int quantity) =>
        new() { Id = new ReservationId(orderId, "1"), Quantity = quantity };

    private static InventoryState Durable(SlowPosition position) =>
        position.Stored.Durable<InventoryState>() ?? throw new InvalidOperationException($"{position.Key} was never written.");

    /// <summary>The position's published events in publish order, once <paramref name="count"/> of them have left.</summary>
    private static async Task<List<RetailEvent>> EventsAsync(string key, int count)
    {
        await EventuallyAsync(() => Task.FromResult(Published(key).Count >= count));
        var events = Published(key);
        Assert.Equal(count, events.Count);
        return events;
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(100);
        }
        return true;
    }

    private static List<RetailEvent> Published(string key)
    {
        OutboxSettling.WaitSettled();
        return ClusterFixture.Published.For(Entities.RetailEvents, key).Select(m => RetailEvent.Parse(RecordingPublisher.BodyOf(m))).ToList();
    }

    private static InventoryEventData Data(RetailEvent retailEvent) =>
        retailEvent.Data.Deserialize<InventoryEventData>(RetailJson.Options) ?? throw new InvalidOperationException("An event without data.");

    private sealed record SlowPosition(string Sku, string Key, IInventoryGrain Grain, TestGrainStorage.StoredGrain Stored);
}
