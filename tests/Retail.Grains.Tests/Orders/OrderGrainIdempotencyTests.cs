using Retail.Contracts.Erp;
using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

[Collection(ClusterCollection.Name)]
public sealed class OrderGrainIdempotencyTests(ClusterFixture fixture)
{
    private readonly OrderScenario _scenario = new(fixture.Grains);

    [Fact]
    public async Task Submit_SameChannelOrderTwice_CreatesOneOrder()
    {
        var (sku, warehouse) = await StockedAsync(10);
        var order = OrderScenario.Canonical(("1", sku, 2));

        var first = await _scenario.SubmitAsync(order);
        var second = await _scenario.SubmitAsync(order);
        var sameId = await _scenario.Order(first.OrderId).SubmitAsync(order with { OrderId = first.OrderId });

        Assert.True(first.Result.Created);
        Assert.False(second.Result.Created);
        Assert.False(sameId.Created);
        Assert.Equal(first.OrderId, second.Result.OrderId);
        Assert.Equal(first.OrderId, sameId.OrderId);
        Assert.Null(await _scenario.Order(second.OrderId).GetAsync());
        Assert.Equal(2, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        Assert.Single(OrderScenario.ErpMessagesOf(first.OrderId), m => m.Type == ErpMessageTypes.SalesOrderPosted);
    }

    [Fact]
    public async Task Submit_SameChannelOrderFiveTimesAtOnce_CreatesOneOrder()
    {
        var (sku, warehouse) = await StockedAsync(10);
        var order = OrderScenario.Canonical(("1", sku, 2));

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _scenario.SubmitAsync(order)));

        Assert.Single(results, r => r.Result.Created);
        Assert.Single(results.Select(r => r.Result.OrderId).Distinct());
        Assert.Equal(2, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        var owner = results.Single(r => r.Result.Created).OrderId;
        var index = fixture.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(order.Channel, order.ChannelOrderId));
        Assert.Equal(owner, await index.LookupAsync());
        var payment = fixture.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.ForPaymentReference(order.Payment!.Provider!, order.Payment.Reference!));
        Assert.Equal(owner, await payment.LookupAsync());
    }

    [Fact]
    public async Task Submit_AfterAClaimWhoseOrderWasNeverWritten_CompletesTheOrderUnderTheClaimedId()
    {
        var (sku, warehouse) = await StockedAsync(10);
        var order = OrderScenario.Canonical(("1", sku, 2));
        var claimedId = await ClaimedOnlyAsync(order);

        var (retryId, result) = await _scenario.SubmitAsync(order);

        Assert.Equal(claimedId, result.OrderId);
        Assert.Equal(OrderStatus.Released, result.Status);
        Assert.Null(await _scenario.Order(retryId).GetAsync());
        Assert.Equal(2, Assert.Single((await _scenario.ViewAsync(claimedId)).Lines).Reserved);
        Assert.Equal(2, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        Assert.Single(OrderScenario.ErpMessagesOf(claimedId), m => m.Type == ErpMessageTypes.SalesOrderPosted);
    }

    [Fact]
    public async Task Submit_AfterReservationsWhoseOrderWasNeverWritten_HoldsEachUnitOnce()
    {
        var (sku, warehouse) = await StockedAsync(10);
        var order = OrderScenario.Canonical(("1", sku, 3));
        var claimedId = await ClaimedOnlyAsync(order);
        await _scenario.Inventory(sku, warehouse).ReserveAsync(new ReservationRequest { Id = new ReservationId(claimedId, $"1@{warehouse}"), Quantity = 3 });

        var (_, result) = await _scenario.SubmitAsync(order);

        Assert.Equal((claimedId, OrderStatus.Released), (result.OrderId, result.Status));
        Assert.Equal(3, Assert.Single((await _scenario.ViewAsync(claimedId)).Lines).Reserved);
        var position = await _scenario.Inventory(sku, warehouse).GetAsync();
        Assert.Equal((3, 7), (position.Reserved, position.Available));
    }

    [Fact]
    public async Task Submit_SameOrderIdForAnotherChannelOrder_IsAConflict()
    {
        var (sku, _) = await StockedAsync(10);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 1)));

        var error = await Assert.ThrowsAsync<Retail.Contracts.RetailException>(() =>
            _scenario.Order(orderId).SubmitAsync(OrderScenario.Canonical(("1", sku, 1)) with { OrderId = orderId }));

        Assert.Equal(Retail.Contracts.ProblemCodes.IdempotencyConflict, error.Code);
    }

    [Fact]
    public async Task ConfirmShipmentAndPostInvoice_Repeated_AreAppliedOnce()
    {
        var (sku, warehouse) = await StockedAsync(10);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 4)));
        var order = _scenario.Order(orderId);

        await order.ConfirmShipmentAsync(OrderGrainTests.Shipment(orderId, "shp-1", warehouse, 2));
        await order.ConfirmShipmentAsync(OrderGrainTests.Shipment(orderId, "shp-1", warehouse, 2));
        await order.PostInvoiceAsync(OrderGrainTests.Invoice(orderId, "inv-1", 2));
        await order.PostInvoiceAsync(OrderGrainTests.Invoice(orderId, "inv-1", 2));

        var line = Assert.Single((await _scenario.ViewAsync(orderId)).Lines);
        Assert.Equal((2, 2, 2), (line.Shipped, line.Invoiced, line.Reserved));
        var position = await _scenario.Inventory(sku, warehouse).GetAsync();
        Assert.Equal((8, 2), (position.OnHand, position.Reserved));
        Assert.Equal(OrderStatus.PartiallyShipped, (await _scenario.ViewAsync(orderId)).Status);
    }

    [Fact]
    public async Task Reserve_SameReservationIdTwice_HoldsOneReservation()
    {
        var (sku, warehouse) = await StockedAsync(10);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        var inventory = _scenario.Inventory(sku, warehouse);

        var repeat = await inventory.ReserveAsync(new ReservationRequest { Id = new ReservationId(orderId, $"1@{warehouse}"), Quantity = 3 });

        Assert.True(repeat.Reserved);
        Assert.Equal(3, (await inventory.GetAsync()).Reserved);
        Assert.Equal(7, repeat.Available);
    }

    /// <summary>Claims the channel order for a new order id and goes no further, as an intake that crashed after its claim.</summary>
    private async Task<string> ClaimedOnlyAsync(CanonicalOrder order)
    {
        var claimedId = OrderScenario.NewId("ord");
        await fixture.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(order.Channel, order.ChannelOrderId)).ClaimAsync(claimedId);
        return claimedId;
    }

    private async Task<(string Sku, string Warehouse)> StockedAsync(int onHand)
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, onHand);
        return (sku, warehouse);
    }
}
