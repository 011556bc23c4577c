using Retail.Contracts.Inventory;

namespace Retail.Grains.Tests.Inventory;

[Collection(ClusterCollection.Name)]
public sealed class SkuAvailabilityGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Get_AfterChangesAtSeveralLocations_TotalsAvailableByLocation()
    {
        var sku = $"SKU-{Guid.NewGuid():N}";
        var store = fixture.Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, "store-2"));
        var warehouse = fixture.Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, "wh-1"));
        var shortStore = fixture.Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, "store-1"));

        await warehouse.SetStockAsync(20, 2);
        await store.SetStockAsync(5, 0);
        await shortStore.SetStockAsync(1, 3);
        await warehouse.ReserveAsync(new ReservationRequest { Id = new ReservationId("o1", "1"), Quantity = 6 });
        await store.FulfilAsync("pos-1", new ReservationId("pos-1", "1"), 1);

        var availability = await fixture.Grains.GetGrain<ISkuAvailabilityGrain>(sku).GetAsync();
        Assert.Equal(sku, availability.Sku);
        Assert.Equal(["store-1", "store-2", "wh-1"], availability.Locations.Select(l => l.LocationId));
        Assert.Equal([-2, 4, 12], availability.Locations.Select(l => l.Available));
        Assert.Equal(6, availability.Locations[2].Reserved);
        Assert.Equal(16, availability.Total);
    }

    [Fact]
    public async Task Get_AfterTheViewWasDeactivated_ReadsEveryPositionAgain()
    {
        var sku = $"SKU-{Guid.NewGuid():N}";
        var warehouse = fixture.Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, "wh-1"));
        var store = fixture.Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, "store-2"));
        await warehouse.SetStockAsync(20, 2);
        await store.SetStockAsync(5, 0);
        await warehouse.ReserveAsync(new ReservationRequest { Id = new ReservationId("o1", "1"), Quantity = 6 });
        var view = fixture.Grains.GetGrain<ISkuAvailabilityGrain>(sku);
        Assert.Equal(17, (await view.GetAsync()).Total);

        // A new activation has heard no report: what it answers, it read from the positions.
        await fixture.DeactivateAsync(view);
        var after = await view.GetAsync();

        Assert.Equal(["store-2", "wh-1"], after.Locations.Select(l => l.LocationId));
        Assert.Equal([5, 12], after.Locations.Select(l => l.Available));
        Assert.Equal(6, after.Locations[1].Reserved);
        Assert.Equal(17, after.Total);
    }

    [Fact]
    public async Task Get_ForSkuNeverStocked_IsEmpty()
    {
        var availability = await fixture.Grains.GetGrain<ISkuAvailabilityGrain>($"SKU-{Guid.NewGuid():N}").GetAsync();

        Assert.Equal(0, availability.Total);
        Assert.Empty(availability.Locations);
    }

    [Fact]
    public async Task Report_OfAnotherSku_IsRefused()
    {
        var grain = fixture.Grains.GetGrain<ISkuAvailabilityGrain>($"SKU-{Guid.NewGuid():N}");

        await Assert.ThrowsAsync<ArgumentException>(() => grain.ReportAsync(new InventoryPosition { Sku = "other", LocationId = "wh-1", Available = 5 }));

        Assert.Empty((await grain.GetAsync()).Locations);
    }
}
