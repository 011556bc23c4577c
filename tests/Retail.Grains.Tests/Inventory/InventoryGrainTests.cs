using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Inventory;

namespace Retail.Grains.Tests.Inventory;

// Some tests here make the shared publisher fail; the cluster collection runs its tests one at a time.
[Collection(ClusterCollection.Name)]
public sealed class InventoryGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Reserve_WithinAvailability_HoldsStock()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);

        var result = await grain.ReserveAsync(Request("o1", "1", 4));

        Assert.True(result.Reserved);
        Assert.Equal(4, result.Quantity);
        Assert.Equal(6, result.Available);
        var position = await grain.GetAsync();
        Assert.Equal((10, 4, 6), (position.OnHand, position.Reserved, position.Available));
    }

    [Fact]
    public async Task Reserve_BeyondAvailability_RejectsAndChangesNothing()
    {
        var grain = await StockedAsync(onHand: 5, safetyStock: 0);
        await grain.ReserveAsync(Request("o1", "1", 3));

        var result = await grain.ReserveAsync(Request("o2", "1", 3));

        Assert.False(result.Reserved);
        Assert.Equal(0, result.Quantity);
        Assert.Equal(2, result.Available);
        var position = await grain.GetAsync();
        Assert.Equal((5, 3, 2), (position.OnHand, position.Reserved, position.Available));
        await grain.ReleaseAsync(new ReservationId("o2", "1"));
        Assert.Equal(3, (await grain.GetAsync()).Reserved);
    }

    [Fact]
    public async Task Reserve_IntoSafetyStock_Rejects()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 4);

        var tooMuch = await grain.ReserveAsync(Request("o1", "1", 7));
        var exactly = await grain.ReserveAsync(Request("o2", "1", 6));

        Assert.False(tooMuch.Reserved);
        Assert.True(exactly.Reserved);
        Assert.Equal(0, exactly.Available);
    }

    [Fact]
    public async Task Reserve_OnPositionNeverStocked_Rejects()
    {
        var grain = Grain(NewSku(), "wh-1");

        var result = await grain.ReserveAsync(Request("o1", "1", 1));

        Assert.False(result.Reserved);
        Assert.False((await grain.GetAsync()).Known);
    }

    [Fact]
    public async Task Reserve_RepeatedWithSameId_AnswersExistingAndChangesNothing()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);
        await grain.ReserveAsync(Request("o1", "1", 4));

        var same = await grain.ReserveAsync(Request("o1", "1", 4));
        var otherQuantity = await grain.ReserveAsync(Request("o1", "1", 6));

        Assert.Equal((true, 4, 6), (same.Reserved, same.Quantity, same.Available));
        Assert.Equal((true, 4, 6), (otherQuantity.Reserved, otherQuantity.Quantity, otherQuantity.Available));
        Assert.Equal(4, (await grain.GetAsync()).Reserved);
    }

    [Fact]
    public async Task Reserve_InvalidRequest_ThrowsWithFieldErrors()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);

        var error = await Assert.ThrowsAsync<RetailValidationException>(() => grain.ReserveAsync(new ReservationRequest
        {
            Id = new ReservationId("bad id/with slash", ""),
            Quantity = 0,
            ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        }));

        Assert.Equal(["expiresAt", "id.lineId", "id.orderId", "quantity"], error.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, (await grain.GetAsync()).Reserved);
    }

    [Fact]
    public async Task Release_Repeated_ReleasesOnce()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);
        await grain.ReserveAsync(Request("o1", "1", 4));
        await grain.ReserveAsync(Request("o2", "1", 2));

        await grain.ReleaseAsync(new ReservationId("o1", "1"));
        await grain.ReleaseAsync(new ReservationId("o1", "1"));

        var position = await grain.GetAsync();
        Assert.Equal((2, 8), (position.Reserved, position.Available));
    }

    [Fact]
    public async Task Confirm_Repeated_KeepsReservation()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);
        await grain.ReserveAsync(Request("o1", "1", 4, DateTimeOffset.UtcNow.AddMinutes(5)));

        await grain.ConfirmAsync(new ReservationId("o1", "1"));
        await grain.ConfirmAsync(new ReservationId("o1", "1"));

        Assert.Equal(4, (await grain.GetAsync()).Reserved);
    }

    [Fact]
    public async Task Confirm_UnknownReservation_ThrowsNotFound()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);

        var error = await Assert.ThrowsAsync<RetailException>(() => grain.ConfirmAsync(new ReservationId("o1", "1")));

        Assert.Equal(ProblemCodes.InventoryNotFound, error.Code);
    }

    [Fact]
    public async Task Fulfil_WithReservation_LowersOnHandAndReservedOnce()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);
        await grain.ReserveAsync(Request("o1", "1", 4));

        await grain.FulfilAsync("ship-1", new ReservationId("o1", "1"), 3);
        await grain.FulfilAsync("ship-1", new ReservationId("o1", "1"), 3);

        var position = await grain.GetAsync();
        Assert.Equal((7, 1, 6), (position.OnHand, position.Reserved, position.Available));
    }

    [Fact]
    public async Task Fulfil_WithoutReservation_LowersOnHandOnly()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);
        await grain.ReserveAsync(Request("o1", "1", 4));

        await grain.FulfilAsync("pos-sale-1", new ReservationId("pos-1", "1"), 2);

        var position = await grain.GetAsync();
        Assert.Equal((8, 4, 4), (position.OnHand, position.Reserved, position.Available));
    }

    [Fact]
    public async Task Restock_Repeated_AddsOnce()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);

        await grain.RestockAsync("return-1", 2);
        await grain.RestockAsync("return-1", 2);
        await grain.RestockAsync("return-2", 1);

        Assert.Equal(13, (await grain.GetAsync()).OnHand);
    }

    [Fact]
    public async Task Adjust_Repeated_AppliesOnce()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);

        var first = await grain.AdjustAsync("adj-1", -3, "damaged");
        var repeat = await grain.AdjustAsync("adj-1", -3, "damaged");

        Assert.Equal(7, first.OnHand);
        Assert.Equal(7, repeat.OnHand);
    }

    [Fact]
    public async Task Adjust_BelowZero_ThrowsAndChangesNothing()
    {
        var grain = await StockedAsync(onHand: 2, safetyStock: 0);

        var error = await Assert.ThrowsAsync<RetailValidationException>(() => grain.AdjustAsync("adj-1", -3, "count"));

        Assert.Contains("delta", error.Errors.Keys);
        Assert.Equal(2, (await grain.GetAsync()).OnHand);
    }

    [Fact]
    public async Task SetStock_BelowReservations_TakesTheShortfallFromTheNewest()
    {
        var grain = await StockedAsync(onHand: 10, safetyStock: 0);
        await grain.ReserveAsync(Request("o1", "1", 4));
        await grain.ReserveAsync(Request("o2", "1", 4));

        var position = await grain.SetStockAsync(onHand: 6, safetyStock: 1);

        Assert.Equal((6, 1, 5, 0), (position.OnHand, position.SafetyStock, position.Reserved, position.Available));
        await grain.ConfirmAsync(new ReservationId("o2", "1"));
        await grain.ConfirmAsync(new ReservationId("o1", "1"));
    }

    [Fact]
    public async Task SetStock_Negative_ThrowsWithFieldErrors()
    {
        var grain = Grain(NewSku(), "wh-1");

        var error = await Assert.ThrowsAsync<RetailValidationException>(() => grain.SetStockAsync(-1, -2));

        Assert.Equal(["onHand", "safetyStock"], error.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reserve_UnpaidPastExpiry_IsReleasedWithoutFurtherCalls()
    {
        var sku = NewSku();
        var grain = await StockedAsync(onHand: 10, safetyStock: 0, sku: sku);
        var availability = fixture.Grains.GetGrain<ISkuAvailabilityGrain>(sku);

        await grain.ReserveAsync(Request("o1", "1", 4, DateTimeOffset.UtcNow.AddSeconds(2)));

        var released = await PollAsync(async () => (await availability.GetAsync()).Locations.Single().Reserved == 0);
        Assert.True(released, "the expired reservation was not released by the grain's own timer");
        Assert.Equal(0, (await grain.GetAsync()).Reserved);
        var reasons = Events(InventoryKey.For(sku, "wh-1")).Select(e => Data(e).Reason);
        Assert.Contains("expired", reasons);
    }

    [Fact]
    public async Task Reserve_ConfirmedBeforeExpiry_IsKept()
    {
        var sku = NewSku();
        var grain = await StockedAsync(onHand: 10, safetyStock: 0, sku: sku);
        var availability = fixture.Grains.GetGrain<ISkuAvailabilityGrain>(sku);
        // Long enough for the confirmation to arrive first on a busy machine.
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(6);
        await grain.ReserveAsync(Request("paid", "1", 3, expiresAt));
        await grain.ReserveAsync(Request("unpaid", "1", 4, expiresAt));

        await grain.ConfirmAsync(new ReservationId("paid", "1"));

        var unpaidReleased = await PollAsync(async () => (await availability.GetAsync()).Locations.Single().Reserved == 3);
        Assert.True(unpaidReleased, "the unpaid reservation was not released");
        var position = await grain.GetAsync();
        Assert.Equal((3, 7), (position.Reserved, position.Available));
        await grain.ConfirmAsync(new ReservationId("paid", "1"));
    }

    [Fact]
    public async Task ApplySnapshot_Stale_IsIgnored()
    {
        var grain = Grain(NewSku(), "wh-1");
        var asOf = DateTimeOffset.UtcNow;
        await grain.ApplySnapshotAsync(asOf, 10);

        var older = await grain.ApplySnapshotAsync(asOf.AddMinutes(-1), 50);
        var same = await grain.ApplySnapshotAsync(asOf, 60);

        Assert.False(older.Applied);
        Assert.False(same.Applied);
        var position = await grain.GetAsync();
        Assert.Equal((10, asOf), (position.OnHand, position.SnapshotAsOf));
    }

    [Fact]
    public async Task ApplySnapshot_FirstCount_IsTheBaselineWithoutVariance()
    {
        var grain = Grain(NewSku(), "wh-1");

        var result = await grain.ApplySnapshotAsync(DateTimeOffset.UtcNow, 10);

        Assert.True(result.Applied);
        Assert.Equal(0, result.Variance);
        var position = await grain.GetAsync();
        Assert.True(position.Known);
        Assert.Equal(10, position.Available);
    }

    [Fact]
    public async Task ApplySnapshot_BelowReservations_TakesBackOnlyTheShortfallNewestFirstAndRecordsVariance()
    {
        var sku = NewSku();
        var grain = await StockedAsync(onHand: 10, safetyStock: 0, sku: sku);
        await grain.ReserveAsync(Request("oldest", "1", 3));
        await grain.ReserveAsync(Request("middle", "1", 3));
        await grain.ReserveAsync(Request("newest", "1", 3));

        var result = await grain.ApplySnapshotAsync(DateTimeOffset.UtcNow, 5);

        Assert.True(result.Applied);
        Assert.Equal(-5, result.Variance);
        Assert.Equal([new ReservationId("newest", "1"), new ReservationId("middle", "1")], result.Released);
        var position = await grain.GetAsync();
        Assert.Equal((5, 5, 0), (position.OnHand, position.Reserved, position.Available));
        var availability = fixture.Grains.GetGrain<ISkuAvailabilityGrain>(sku);
        Assert.True(await PollAsync(async () => (await availability.GetAsync()).Locations.Any(p => p.OnHand == 5)), "the SKU's availability did not hear of the snapshot");
        var variance = Events(InventoryKey.For(sku, "wh-1")).Single(e => e.Type == EventTypes.InventoryVarianceDetected);
        Assert.Equal(-5, Data(variance).Variance);
    }

    [Fact]
    public async Task Changes_PublishInventoryChangedInSequence()
    {
        var sku = NewSku();
        var key = InventoryKey.For(sku, "wh-1");
        var grain = await StockedAsync(onHand: 10, safetyStock: 1, sku: sku);

        await grain.ReserveAsync(Request("o1", "1", 4));
        await grain.ReleaseAsync(new ReservationId("o1", "1"));

        var events = Events(key);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal((EventTypes.InventoryChanged, EventSources.Inventory, key), (e.Type, e.Source, e.Subject)));
        Assert.Equal([9, 5, 9], events.Select(e => Data(e).Available));
        Assert.Equal(events.Select(e => RetailEvent.IdFor(key, e.Sequence)), events.Select(e => e.Id));
    }

    [Fact]
    public async Task Change_WhileBrokerFails_IsPublishedOnceItRecovers()
    {
        var sku = NewSku();
        var key = InventoryKey.For(sku, "wh-1");
        var grain = Grain(sku, "wh-1");
        ClusterFixture.Published.Failing = true;
        try
        {
            var position = await grain.SetStockAsync(8, 0);

            Assert.Equal(8, position.OnHand);
            Assert.Empty(Events(key));
        }
        finally
        {
            ClusterFixture.Published.Failing = false;
        }

        var delivered = await PollAsync(() => Task.FromResult(Events(key).Count == 1));
        Assert.True(delivered, "the outbox did not retry the event after the broker recovered");
        Assert.Equal(8, Data(Events(key).Single()).OnHand);
    }

    private IInventoryGrain Grain(string sku, string locationId) =>
        fixture.Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId));

    private async Task<IInventoryGrain> StockedAsync(int onHand, int safetyStock, string? sku = null)
    {
        var grain = Grain(sku ?? NewSku(), "wh-1");
        await grain.SetStockAsync(onHand, safetyStock);
        return grain;
    }

    private static string NewSku() => $"SKU-{Guid.NewGuid():N}";

    private static ReservationRequest Request(string orderId, string lineId, int quantity, DateTimeOffset? expiresAt = null) =>
        new() { Id = new ReservationId(orderId, lineId), Quantity = quantity, ExpiresAt = expiresAt };

    private static List<RetailEvent> Events(string key) =>
        ClusterFixture.Published.For(Entities.RetailEvents, key).Select(m => RetailEvent.Parse(RecordingPublisher.BodyOf(m))).ToList();

    private static InventoryEventData Data(RetailEvent retailEvent) =>
        retailEvent.Data.Deserialize<InventoryEventData>(RetailJson.Options) ?? throw new InvalidOperationException("An event without data.");

    private static async Task<bool> PollAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return await condition();
    }
}
