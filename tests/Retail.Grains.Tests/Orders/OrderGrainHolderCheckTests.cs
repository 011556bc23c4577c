using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

/// <summary>
/// An intake that reserved and then died before its order was written (its silo failed) leaves a reservation no order
/// holds; a retry of the intake may source elsewhere. The position asks the order and releases what it does not hold.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OrderGrainHolderCheckTests(ClusterFixture fixture)
{
    private readonly OrderScenario _scenario = new(fixture.Grains);

    [Fact]
    public async Task HolderCheck_ReservationLeftByAFailedIntake_IsReleasedAndTheOrdersOwnAreKept()
    {
        var first = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var second = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 2);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, first, 10);
        await _scenario.StockAsync(sku, second, 10);
        var orderId = OrderScenario.NewId("ord");
        // The first attempt reserved at the second warehouse (under the id an allocation there would have) and died.
        await _scenario.Inventory(sku, second).ReserveAsync(new ReservationRequest { Id = new ReservationId(orderId, $"1@{second}"), Quantity = 4 });
        var ghost = OrderScenario.NewId("ord-never-written");
        await _scenario.Inventory(sku, first).ReserveAsync(new ReservationRequest { Id = new ReservationId(ghost, $"1@{first}"), Quantity = 1 });

        var (_, result) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)) with { OrderId = orderId });

        Assert.Equal(OrderStatus.Released, result.Status);
        var held = Assert.Single(Assert.Single((await _scenario.ViewAsync(orderId)).Lines).Allocations);
        Assert.Equal(new Allocation { LocationId = first, Quantity = 3 }, held);
        var atSecond = await OrderScenario.EventuallyAsync(() => _scenario.Inventory(sku, second).GetAsync(), position => position.Reserved == 0);
        var atFirst = await OrderScenario.EventuallyAsync(() => _scenario.Inventory(sku, first).GetAsync(), position => position.Reserved == 3);
        Assert.Equal(0, atSecond.Reserved);
        Assert.Equal(3, atFirst.Reserved);
        Assert.True(await _scenario.Order(orderId).HoldsReservationAsync($"1@{first}", first));
    }
}
