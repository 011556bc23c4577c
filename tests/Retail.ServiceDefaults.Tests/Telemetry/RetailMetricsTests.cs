using Retail.Contracts.Inventory;

namespace Retail.ServiceDefaults.Tests.Telemetry;

[Collection(ObservedAppCollection.Name)]
public sealed class RetailMetricsTests(ObservedApp app)
{
    [Fact]
    public async Task ReservationRejected_ReserveBeyondAvailable_CountsOversellPrevented()
    {
        var inventory = app.Grains.GetGrain<IInventoryGrain>(InventoryKey.For("SKU-OVERSELL-" + Guid.NewGuid().ToString("N")[..8], "DC-1"));
        await inventory.SetStockAsync(3, 0);
        var preventedBefore = app.Sum("retail.inventory.oversells_prevented");
        var rejectedBefore = app.Sum("retail.reservations.rejected");
        var madeBefore = app.Sum("retail.reservations.made");

        var refused = await inventory.ReserveAsync(new ReservationRequest { Id = new ReservationId("o-oversell", "1"), Quantity = 4 });
        var granted = await inventory.ReserveAsync(new ReservationRequest { Id = new ReservationId("o-fits", "1"), Quantity = 3 });

        Assert.False(refused.Reserved);
        Assert.True(granted.Reserved);
        Assert.Equal(preventedBefore + 1, app.Sum("retail.inventory.oversells_prevented"));
        Assert.Equal(rejectedBefore + 1, app.Sum("retail.reservations.rejected"));
        Assert.Equal(madeBefore + 1, app.Sum("retail.reservations.made"));
    }
}
