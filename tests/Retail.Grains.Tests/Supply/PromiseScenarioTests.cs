using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;
using Retail.Contracts.Transfers;
using Retail.Grains.Tests.Orders;

namespace Retail.Grains.Tests.Supply;

/// <summary>Inbound supply, transfers and promises on the real grains, as the ERP messages drive them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class PromiseScenarioTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset Thursday = DateTimeOffset.UtcNow.Date.AddDays(3);
    private readonly OrderScenario _scenario = new(fixture.Grains);

    [Fact]
    public async Task PurchaseOrderReceivedShort_ServesTheOldestOrderFirstAndResourcesTheRest()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 0);
        var poId = OrderScenario.NewId("po");
        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 5, Thursday));

        var (older, olderIntake) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        var (newer, newerIntake) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)));
        Assert.Equal((OrderStatus.Promised, OrderStatus.Promised), (olderIntake.Status, newerIntake.Status));
        var promised = (await _scenario.ViewAsync(older)).Lines[0];
        Assert.Equal((3, 0, Thursday), (promised.Promised, promised.Backordered, promised.PromisedAt));
        var position = await _scenario.Inventory(sku, warehouse).GetAsync();
        Assert.Equal((5, 5, 0), (position.Inbound.Single().Quantity, position.Promised, position.Available));

        await PurchaseOrder(poId).ReceiveAsync(Receipt(poId, warehouse, sku, 4));

        var olderView = await EventuallyStatusAsync(older, OrderStatus.Released);
        var newerView = await EventuallyStatusAsync(newer, OrderStatus.Backordered);
        Assert.Equal((3, 0, 0), (olderView.Lines[0].Reserved, olderView.Lines[0].Promised, olderView.Lines[0].Backordered));
        Assert.Equal((1, 0, 1), (newerView.Lines[0].Reserved, newerView.Lines[0].Promised, newerView.Lines[0].Backordered));
        position = await _scenario.Inventory(sku, warehouse).GetAsync();
        Assert.Equal((4, 4, 0, 0), (position.OnHand, position.Reserved, position.Promised, position.Inbound.Count));
        var variance = Assert.Single(await _scenario.ExceptionsOfAsync(InventoryKey.For(sku, warehouse)));
        Assert.Equal(ExceptionKinds.InventoryVariance, variance.Kind);
        Assert.Contains("variance -1", variance.Reason, StringComparison.Ordinal);
        var types = OrderScenario.EventsOf(older).Select(e => e.Type).ToList();
        Assert.Equal([EventTypes.OrderReceived, EventTypes.OrderPromised, EventTypes.OrderReserved, EventTypes.OrderReleased], types);
        var promisedEvent = OrderScenario.EventsOf(older).Single(e => e.Type == EventTypes.OrderPromised);
        var promise = Assert.Single(promisedEvent.Data.Deserialize<OrderEventData>(RetailJson.Options)!.Promises!);
        Assert.Equal((warehouse, 3, Thursday), (promise.LocationId, promise.Quantity, promise.PromisedAt));
        Assert.Contains(OrderScenario.EventsOf(InventoryKey.For(sku, warehouse)), e => e.Type == EventTypes.InventoryInboundChanged);
    }

    [Fact]
    public async Task PurchaseOrderConfirmedLater_MovesThePromiseAndTellsTheWorld()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 0);
        var poId = OrderScenario.NewId("po");
        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 10, Thursday));
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)));

        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 10, Thursday.AddDays(4)));

        var view = await OrderScenario.EventuallyAsync(() => _scenario.ViewAsync(orderId), v => v.Lines[0].PromisedAt == Thursday.AddDays(4));
        Assert.Equal((OrderStatus.Promised, 2, Thursday.AddDays(4)), (view.Status, view.Lines[0].Promised, view.Lines[0].PromisedAt));
        var changed = Assert.Single(OrderScenario.EventsOf(orderId), e => e.Type == EventTypes.OrderPromiseChanged);
        Assert.Equal(Thursday.AddDays(4), changed.Data.Deserialize<OrderEventData>(RetailJson.Options)!.Promises!.Single().PromisedAt);
    }

    [Fact]
    public async Task PurchaseOrderCancelled_SendsThePromisedOrderBackThroughSourcing()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 0);
        var poId = OrderScenario.NewId("po");
        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 4, Thursday));
        var (orderId, intake) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)));
        Assert.Equal(OrderStatus.Promised, intake.Status);

        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 0, Thursday));

        var view = await EventuallyStatusAsync(orderId, OrderStatus.Backordered);
        Assert.Equal((0, 2), (view.Lines[0].Promised, view.Lines[0].Backordered));
        Assert.Empty((await _scenario.Inventory(sku, warehouse).GetAsync()).Inbound);
    }

    [Fact]
    public async Task ReceiptNotice_DeliveredTwice_KeepsTheReservationItMade()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 0);
        var poId = OrderScenario.NewId("po");
        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 3, Thursday));
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        await PurchaseOrder(poId).ReceiveAsync(Receipt(poId, warehouse, sku, 3));
        var released = await EventuallyStatusAsync(orderId, OrderStatus.Released);
        var reservationLineId = $"1@{warehouse}";

        await _scenario.Order(orderId).OnPromisesChangedAsync(new PromisesChanged
        {
            Sku = sku,
            LocationId = warehouse,
            Reason = PromiseReasons.Received,
            Changes = [new PromiseChange { LineId = reservationLineId, Converted = 3 }],
            NoticeId = "replayed-receipt-notice",
        });

        var view = await _scenario.ViewAsync(orderId);
        Assert.Equal((OrderStatus.Released, 3), (view.Status, view.Lines[0].Reserved));
        Assert.Equal(released.Lines[0].Allocations, view.Lines[0].Allocations);
        Assert.Equal(3, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
    }

    [Fact]
    public async Task PartialConversionNotice_DeliveredTwice_IsAppliedOnce()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 0);
        var poId = OrderScenario.NewId("po");
        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 3, Thursday));
        var (orderId, intake) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        Assert.Equal(OrderStatus.Promised, intake.Status);
        var notice = new PromisesChanged
        {
            Sku = sku,
            LocationId = warehouse,
            Reason = PromiseReasons.Received,
            Changes = [new PromiseChange { LineId = $"1@{warehouse}", Converted = 1 }],
            NoticeId = $"{sku}@{warehouse}:PromisesChanged:7",
        };

        await _scenario.Order(orderId).OnPromisesChangedAsync(notice);
        await _scenario.Order(orderId).OnPromisesChangedAsync(notice);

        var view = await _scenario.ViewAsync(orderId);
        Assert.Equal((1, 2), (view.Lines[0].Reserved, view.Lines[0].Promised));
    }

    [Fact]
    public async Task Notice_WithoutANoticeId_IsRefused()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 0);
        var poId = OrderScenario.NewId("po");
        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 3, Thursday));
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));

        await Assert.ThrowsAsync<RetailValidationException>(() => _scenario.Order(orderId).OnPromisesChangedAsync(new PromisesChanged
        {
            Sku = sku,
            LocationId = warehouse,
            Reason = PromiseReasons.Received,
            Changes = [new PromiseChange { LineId = $"1@{warehouse}", Converted = 1 }],
        }));

        Assert.Equal(3, (await _scenario.ViewAsync(orderId)).Lines[0].Promised);
    }

    [Fact]
    public async Task ChannelWithoutPromises_IsBackorderedDespiteInboundSupply()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 0);
        var poId = OrderScenario.NewId("po");
        await PurchaseOrder(poId).ConfirmAsync(Confirmation(poId, warehouse, sku, 4, Thursday));

        var (_, intake) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)) with { Channel = Channels.Marketplace });

        Assert.Equal(OrderStatus.Backordered, intake.Status);
        Assert.Equal(0, (await _scenario.Inventory(sku, warehouse).GetAsync()).Promised);
    }

    [Fact]
    public async Task TransferShippedAndReceivedShort_MovesStockAndRecordsTheVariance()
    {
        var sku = OrderScenario.NewId("SKU");
        var source = await _scenario.LocationAsync("wh", LocationType.Warehouse, 50);
        var store = await _scenario.LocationAsync("store", LocationType.Store, 60);
        await _scenario.StockAsync(sku, source, 10);
        await _scenario.StockAsync(sku, store, 0);
        var transferId = OrderScenario.NewId("tr");
        var transfer = fixture.Grains.GetGrain<ITransferGrain>(transferId);
        await transfer.RequestAsync(new TransferRequest { FromLocationId = source, ToLocationId = store, Lines = [new SkuQuantity { Sku = sku, Quantity = 6 }] });
        var requested = Assert.Single(OrderScenario.ErpMessagesOf(transferId));
        Assert.Equal(ErpMessageTypes.TransferRequested, requested.Type);

        var shipped = new TransferShipped
        {
            TransferId = transferId, FromLocationId = source, ToLocationId = store, ShippedAt = DateTimeOffset.UtcNow, ExpectedAt = Thursday,
            Lines = [new SkuQuantity { Sku = sku, Quantity = 6 }],
        };
        await transfer.ShipAsync(shipped);
        await transfer.ShipAsync(shipped);

        var atSource = await _scenario.Inventory(sku, source).GetAsync();
        var atStore = await _scenario.Inventory(sku, store).GetAsync();
        Assert.Equal((4, 6), (atSource.OnHand, atSource.InTransit));
        Assert.Equal((0, 6, Thursday), (atStore.OnHand, atStore.Inbound.Single().Quantity, atStore.Inbound.Single().ExpectedAt));
        Assert.Equal(TransferStatus.Shipped, (await transfer.GetAsync())!.Status);

        await transfer.ReceiveAsync(new TransferReceived { TransferId = transferId, ToLocationId = store, ReceivedAt = DateTimeOffset.UtcNow, Lines = [new SkuQuantity { Sku = sku, Quantity = 5 }] });

        atSource = await _scenario.Inventory(sku, source).GetAsync();
        atStore = await _scenario.Inventory(sku, store).GetAsync();
        Assert.Equal((4, 0), (atSource.OnHand, atSource.InTransit));
        Assert.Equal((5, 0), (atStore.OnHand, atStore.Inbound.Count));
        Assert.Equal(TransferStatus.Received, (await transfer.GetAsync())!.Status);
        var events = OrderScenario.EventsOf(transferId);
        Assert.Equal([EventTypes.TransferShipped, EventTypes.TransferReceived], events.Select(e => e.Type));
        var variance = Assert.Single(events[1].Data.Deserialize<TransferEventData>(RetailJson.Options)!.Variances!);
        Assert.Equal((sku, -1), (variance.Sku, variance.Quantity));
        Assert.Contains(await _scenario.ExceptionsOfAsync(InventoryKey.For(sku, store)), r => r.Kind == ExceptionKinds.InventoryVariance);
    }

    [Fact]
    public async Task Receipt_ForAPurchaseOrderNeverConfirmed_IsRefusedAndChangesNothing()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 3);
        var poId = OrderScenario.NewId("po");

        var refused = await Assert.ThrowsAsync<RetailException>(() => PurchaseOrder(poId).ReceiveAsync(Receipt(poId, warehouse, sku, 4)));

        Assert.Equal(ProblemCodes.PurchaseOrderNotFound, refused.Code);
        Assert.Equal(3, (await _scenario.Inventory(sku, warehouse).GetAsync()).OnHand);
    }

    [Fact]
    public async Task Confirmation_AtAnUnknownLocationOrWithANegativeQuantity_IsRefusedBeforeAnyPositionHearsOfIt()
    {
        var (sku, warehouse) = await StockedAsync(onHand: 0);
        var poId = OrderScenario.NewId("po");
        var confirmation = Confirmation(poId, warehouse, sku, 4, Thursday);

        var unknown = await Assert.ThrowsAsync<RetailException>(() => PurchaseOrder(poId).ConfirmAsync(confirmation with { LocationId = "nowhere-" + poId }));
        var negative = await Assert.ThrowsAsync<RetailValidationException>(() => PurchaseOrder(poId).ConfirmAsync(confirmation with
        {
            Lines = [new PurchaseOrderLine { Sku = sku, Quantity = 2, ExpectedAt = Thursday }, new PurchaseOrderLine { Sku = sku + "-B", Quantity = -1, ExpectedAt = Thursday }],
        }));

        Assert.Equal(ProblemCodes.LocationNotFound, unknown.Code);
        Assert.Contains("lines[1].quantity", negative.Errors.Keys);
        Assert.Empty((await _scenario.Inventory(sku, warehouse).GetAsync()).Inbound);
        Assert.Null(await PurchaseOrder(poId).GetAsync());
    }

    private IPurchaseOrderGrain PurchaseOrder(string poId) => fixture.Grains.GetGrain<IPurchaseOrderGrain>(poId);

    private async Task<(string Sku, string Warehouse)> StockedAsync(int onHand)
    {
        var sku = OrderScenario.NewId("SKU");
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, 40);
        await _scenario.StockAsync(sku, warehouse, onHand);
        return (sku, warehouse);
    }

    private Task<OrderView> EventuallyStatusAsync(string orderId, OrderStatus status) =>
        OrderScenario.EventuallyAsync(() => _scenario.ViewAsync(orderId), v => v.Status == status);

    private static PurchaseOrderConfirmed Confirmation(string poId, string locationId, string sku, int quantity, DateTimeOffset expectedAt) => new()
    {
        PoId = poId,
        LocationId = locationId,
        Lines = [new PurchaseOrderLine { Sku = sku, Quantity = quantity, ExpectedAt = expectedAt }],
    };

    private static PurchaseOrderReceived Receipt(string poId, string locationId, string sku, int quantity) => new()
    {
        PoId = poId,
        LocationId = locationId,
        ReceivedAt = DateTimeOffset.UtcNow,
        Lines = [new SkuQuantity { Sku = sku, Quantity = quantity }],
    };
}
