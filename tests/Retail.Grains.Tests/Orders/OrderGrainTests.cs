using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

[Collection(ClusterCollection.Name)]
public sealed class OrderGrainTests(ClusterFixture fixture)
{
    private readonly OrderScenario _scenario = new(fixture.Grains);

    [Fact]
    public async Task Submit_WhenNoLocationHasBothLines_SplitsAcrossWarehouseAndStore()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var store = await _scenario.LocationAsync("st", LocationType.Store, priority: 5);
        var skuA = OrderScenario.NewId("sku-a");
        var skuB = OrderScenario.NewId("sku-b");
        await _scenario.StockAsync(skuA, warehouse, 10);
        await _scenario.StockAsync(skuB, store, 10);

        var (orderId, result) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", skuA, 2), ("2", skuB, 3)));

        Assert.True(result.Created);
        Assert.Equal(OrderStatus.Released, result.Status);
        var order = await _scenario.ViewAsync(orderId);
        var line1 = Assert.Single(order.Lines, l => l.LineId == "1");
        var line2 = Assert.Single(order.Lines, l => l.LineId == "2");
        Assert.Equal(new Allocation { LocationId = warehouse, Quantity = 2 }, Assert.Single(line1.Allocations));
        Assert.Equal(new Allocation { LocationId = store, Quantity = 3 }, Assert.Single(line2.Allocations));
        Assert.Equal((2, 0), (line1.Reserved, line1.Backordered));
        Assert.Equal((3, 0), (line2.Reserved, line2.Backordered));
        Assert.Equal(2, (await _scenario.Inventory(skuA, warehouse).GetAsync()).Reserved);
        Assert.Equal(3, (await _scenario.Inventory(skuB, store).GetAsync()).Reserved);
    }

    [Fact]
    public async Task Submit_WhenOneLocationHasEverything_ReservesThereOnly()
    {
        var first = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var second = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 2);
        var skuA = OrderScenario.NewId("sku-a");
        var skuB = OrderScenario.NewId("sku-b");
        await _scenario.StockAsync(skuA, first, 10);
        await _scenario.StockAsync(skuA, second, 10);
        await _scenario.StockAsync(skuB, second, 10);

        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", skuA, 2), ("2", skuB, 1)));

        var order = await _scenario.ViewAsync(orderId);
        Assert.All(order.Lines, l => Assert.Equal(second, Assert.Single(l.Allocations).LocationId));
        Assert.Equal(0, (await _scenario.Inventory(skuA, first).GetAsync()).Reserved);
    }

    [Fact]
    public async Task Submit_PickupWithStockAtStore_ReservesOnlyAtThatStore()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var store = await _scenario.LocationAsync("st", LocationType.Store, priority: 9);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 50);
        await _scenario.StockAsync(sku, store, 4);

        var (orderId, result) = await _scenario.SubmitAsync(OrderScenario.Canonical([("1", sku, 3)], PaymentStatuses.Captured, pickupLocationId: store));

        Assert.Equal(OrderStatus.Released, result.Status);
        var line = Assert.Single((await _scenario.ViewAsync(orderId)).Lines);
        Assert.Equal(new Allocation { LocationId = store, Quantity = 3 }, Assert.Single(line.Allocations));
        Assert.Equal(3, (await _scenario.Inventory(sku, store).GetAsync()).Reserved);
        Assert.Equal(0, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
    }

    [Fact]
    public async Task Submit_PickupWhereStoreLacksStock_BackordersRatherThanShipFromWarehouse()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var store = await _scenario.LocationAsync("st", LocationType.Store, priority: 9);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 50);
        await _scenario.StockAsync(sku, store, 1);

        var (orderId, result) = await _scenario.SubmitAsync(OrderScenario.Canonical([("1", sku, 3)], PaymentStatuses.Captured, pickupLocationId: store));

        Assert.Equal(OrderStatus.Backordered, result.Status);
        var line = Assert.Single((await _scenario.ViewAsync(orderId)).Lines);
        Assert.Equal((1, 2), (line.Reserved, line.Backordered));
        Assert.Equal(0, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        var exception = Assert.Single(await _scenario.ExceptionsOfAsync(orderId));
        Assert.Equal(ExceptionKinds.Backordered, exception.Kind);
        Assert.Equal(EventTypes.OrderBackordered, OrderScenario.EventsOf(orderId).Last().Type);
    }

    [Fact]
    public async Task Retry_BackorderedAfterStockArrives_ReservesPostsAndResolvesTheException()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 1);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        var exception = Assert.Single(await _scenario.ExceptionsOfAsync(orderId));
        await _scenario.StockAsync(sku, warehouse, 5);

        var retried = await _scenario.ExceptionOf(exception.Id).RetryAsync(exception.Id);

        Assert.Equal(ExceptionStatus.Resolved, retried.Status);
        Assert.Equal(2, retried.Attempts);
        var order = await _scenario.ViewAsync(orderId);
        Assert.Equal(OrderStatus.Released, order.Status);
        Assert.Equal(3, Assert.Single(order.Lines).Reserved);
        Assert.Contains(OrderScenario.ErpMessagesOf(orderId), m => m.Type == ErpMessageTypes.SalesOrderPosted);
    }

    [Fact]
    public async Task Retry_WhileTheOrderChangesOnItsOwn_BothFinishAndTheExceptionIsResolved()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var skuA = OrderScenario.NewId("sku-a");
        var skuB = OrderScenario.NewId("sku-b");
        await _scenario.StockAsync(skuA, warehouse, 5);
        await _scenario.StockAsync(skuB, warehouse, 0);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", skuA, 1), ("2", skuB, 2)));
        var exception = Assert.Single(await _scenario.ExceptionsOfAsync(orderId));

        var retry = _scenario.ExceptionOf(exception.Id).RetryAsync(exception.Id);
        var cancel = _scenario.Order(orderId).CancelAsync(new CancelRequest { Reason = "out of stock", Lines = [new LineQuantity { LineId = "2", Quantity = 2 }] });
        await Task.WhenAny(Task.WhenAll(retry, cancel), Task.Delay(OrderScenario.WaitLimit));

        Assert.True(retry.IsCompleted && cancel.IsCompleted, "The retry and the cancellation did not both finish.");
        Assert.True(cancel.IsCompletedSuccessfully);
        Assert.True(retry.IsCompletedSuccessfully || retry.Exception?.InnerException is RetailException { Code: ProblemCodes.InvalidTransition });
        Assert.Equal(OrderStatus.Released, (await _scenario.ViewAsync(orderId)).Status);
        Assert.Equal(ExceptionStatus.Resolved, (await _scenario.ExceptionOf(exception.Id).GetAsync(exception.Id))!.Status);
    }

    [Fact]
    public async Task ShipmentsAndInvoices_InParts_CompleteTheOrderWithOrderedEvents()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 10);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 4)));
        var order = _scenario.Order(orderId);
        await order.AcceptPostingAsync(new OrderPostingAccepted { OrderId = orderId, ErpOrderNumber = "SO-1" });

        await order.ConfirmShipmentAsync(Shipment(orderId, "shp-1", warehouse, 1));
        var partly = await _scenario.ViewAsync(orderId);
        await order.ConfirmShipmentAsync(Shipment(orderId, "shp-2", warehouse, 3));
        var shipped = await _scenario.ViewAsync(orderId);
        await order.PostInvoiceAsync(Invoice(orderId, "inv-1", 1));
        var partlyInvoiced = await _scenario.ViewAsync(orderId);
        await order.PostInvoiceAsync(Invoice(orderId, "inv-2", 3));

        Assert.Equal(OrderStatus.PartiallyShipped, partly.Status);
        Assert.Equal(OrderStatus.Shipped, shipped.Status);
        Assert.Equal(OrderStatus.Shipped, partlyInvoiced.Status);
        var completed = await _scenario.ViewAsync(orderId);
        Assert.Equal(OrderStatus.Completed, completed.Status);
        Assert.Equal("SO-1", completed.ErpOrderNumber);
        var line = Assert.Single(completed.Lines);
        Assert.Equal((4, 4, 4, 0), (line.Ordered, line.Shipped, line.Invoiced, line.Reserved));
        var position = await _scenario.Inventory(sku, warehouse).GetAsync();
        Assert.Equal((6, 0), (position.OnHand, position.Reserved));

        var events = OrderScenario.EventsOf(orderId);
        Assert.Equal(
            [EventTypes.OrderReceived, EventTypes.OrderReserved, EventTypes.OrderReleased, EventTypes.OrderShipped, EventTypes.OrderShipped,
             EventTypes.OrderInvoiced, EventTypes.OrderInvoiced, EventTypes.OrderCompleted],
            events.Select(e => e.Type));
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.First.Sequence < pair.Second.Sequence));
        Assert.All(events, e => Assert.Equal((EventSources.Orders, orderId, $"{orderId}:{e.Sequence}"), (e.Source, e.Subject, e.Id)));
        Assert.Equal("Completed", events[^1].Data.GetProperty("status").GetString());

        var posted = Assert.Single(OrderScenario.ErpMessagesOf(orderId), m => m.Type == ErpMessageTypes.SalesOrderPosted);
        var body = JsonSerializer.Deserialize<SalesOrderPosted>(posted.Body, RetailJson.Options)!;
        Assert.Equal(orderId, body.Order.OrderId);
        Assert.Equal(new Allocation { LocationId = warehouse, Quantity = 4 }, Assert.Single(Assert.Single(body.Allocations).Locations));
    }

    [Fact]
    public async Task ConfirmShipment_MoreThanHeldAtTheLocation_IsAnInvalidTransitionAndChangesNothing()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 10);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)));

        var error = await Assert.ThrowsAsync<RetailException>(() => _scenario.Order(orderId).ConfirmShipmentAsync(Shipment(orderId, "shp-1", warehouse, 3)));

        Assert.Equal(ProblemCodes.InvalidTransition, error.Code);
        Assert.Equal(0, Assert.Single((await _scenario.ViewAsync(orderId)).Lines).Shipped);
        Assert.Equal(10, (await _scenario.Inventory(sku, warehouse).GetAsync()).OnHand);
    }

    [Fact]
    public async Task PaymentPending_WhenTheTimeoutPasses_ReleasesStockAndHoldsWithPaymentTimeout()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 5);

        var (orderId, result) = await _scenario.SubmitAsync(OrderScenario.Canonical([("1", sku, 2)], PaymentStatuses.Pending));

        Assert.Equal(OrderStatus.Reserved, result.Status);
        Assert.Equal(2, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        var held = await OrderScenario.EventuallyAsync(() => _scenario.ViewAsync(orderId), o => o.Status == OrderStatus.OnHold);
        Assert.Equal(OrderStatus.OnHold, held.Status);
        Assert.Contains("payment", held.HoldReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((0, 2), (Assert.Single(held.Lines).Reserved, Assert.Single(held.Lines).Backordered));
        Assert.Equal(0, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        var exception = Assert.Single(await OrderScenario.EventuallyAsync(() => _scenario.ExceptionsOfAsync(orderId), e => e.Count > 0));
        Assert.Equal(ExceptionKinds.PaymentTimeout, exception.Kind);
        Assert.Empty(OrderScenario.ErpMessagesOf(orderId));
    }

    [Fact]
    public async Task UpdatePayment_CapturedAfterPaymentTimeout_SourcesAgainReleasesAndResolves()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 5);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical([("1", sku, 2)], PaymentStatuses.Pending));
        await OrderScenario.EventuallyAsync(() => _scenario.ViewAsync(orderId), o => o.Status == OrderStatus.OnHold);

        var paid = await _scenario.Order(orderId).UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Captured });

        Assert.Equal(OrderStatus.Released, paid.Status);
        Assert.Null(paid.HoldReason);
        Assert.Equal(2, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        Assert.Empty(await _scenario.ExceptionsOfAsync(orderId));
        var resolved = Assert.Single(await _scenario.ExceptionsOfAsync(orderId, ExceptionStatus.Resolved));
        Assert.Equal(ExceptionKinds.PaymentTimeout, resolved.Kind);
        Assert.Single(OrderScenario.ErpMessagesOf(orderId), m => m.Type == ErpMessageTypes.SalesOrderPosted);
    }

    [Fact]
    public async Task UpdatePayment_AuthorizedBeforeTheTimeout_ConfirmsReservationsSoTheyNeverExpire()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 5);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical([("1", sku, 2)], PaymentStatuses.Pending));

        var paid = await _scenario.Order(orderId).UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Authorized });
        await Task.Delay(TimeSpan.FromSeconds(5));

        Assert.Equal(OrderStatus.Released, paid.Status);
        Assert.Equal(OrderStatus.Released, (await _scenario.ViewAsync(orderId)).Status);
        Assert.Equal(2, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
    }

    [Fact]
    public async Task UpdatePayment_Failed_CancelsTheOrderAndReleasesItsStock()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 5);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical([("1", sku, 2)], PaymentStatuses.Pending));

        var failed = await _scenario.Order(orderId).UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Failed, Reason = "card declined" });

        Assert.Equal(OrderStatus.Cancelled, failed.Status);
        Assert.Equal((2, 0), (Assert.Single(failed.Lines).Cancelled, Assert.Single(failed.Lines).Reserved));
        Assert.Empty(failed.Refunds);
        Assert.Equal(0, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        Assert.Equal(EventTypes.OrderCancelled, OrderScenario.EventsOf(orderId)[^1].Type);
        Assert.Empty(await _scenario.ExceptionsOfAsync(orderId));
    }

    [Fact]
    public async Task Cancel_OneLineAfterCapture_ReleasesItsStockAndRefundsItsShareUntilConfirmed()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var skuA = OrderScenario.NewId("sku-a");
        var skuB = OrderScenario.NewId("sku-b");
        await _scenario.StockAsync(skuA, warehouse, 10);
        await _scenario.StockAsync(skuB, warehouse, 10);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", skuA, 2), ("2", skuB, 3)));
        var order = _scenario.Order(orderId);

        var cancelled = await order.CancelAsync(new CancelRequest { Reason = "customer changed mind", Lines = [new LineQuantity { LineId = "2", Quantity = 3 }] });

        // Line 2: 3 x 10.00, less its 1.00 discount, plus its 2.40 tax.
        Assert.Equal(OrderStatus.Released, cancelled.Status);
        var refund = Assert.Single(cancelled.Refunds);
        Assert.Equal((31.40m, RefundStatus.Pending), (refund.Amount, refund.Status));
        Assert.Equal((3, 0), (cancelled.Lines.Single(l => l.LineId == "2").Cancelled, cancelled.Lines.Single(l => l.LineId == "2").Reserved));
        Assert.Equal(2, cancelled.Lines.Single(l => l.LineId == "1").Reserved);
        Assert.Equal(0, (await _scenario.Inventory(skuB, warehouse).GetAsync()).Reserved);
        Assert.Equal(2, (await _scenario.Inventory(skuA, warehouse).GetAsync()).Reserved);
        var erp = OrderScenario.ErpMessagesOf(orderId).Select(m => m.Type).ToList();
        Assert.Equal([ErpMessageTypes.SalesOrderPosted, ErpMessageTypes.RefundRequested, ErpMessageTypes.OrderLinesCancelled], erp);
        var summary = await OrderScenario.EventuallyAsync(() => DirectoryEntryAsync(orderId), s => s?.RefundPendingAmount == 31.40m);
        Assert.Equal(31.40m, summary!.RefundPendingAmount);

        var confirmed = await order.ConfirmRefundAsync(new RefundConfirmation { ProviderRefundId = "re_1", Amount = 31.40m });
        var again = await order.ConfirmRefundAsync(new RefundConfirmation { ProviderRefundId = "re_1", Amount = 31.40m });

        Assert.Equal(RefundStatus.Confirmed, Assert.Single(confirmed.Refunds).Status);
        Assert.Equal(3, confirmed.Lines.Single(l => l.LineId == "2").Refunded);
        Assert.Single(again.Refunds);
        Assert.Equal(EventTypes.OrderRefunded, OrderScenario.EventsOf(orderId)[^1].Type);
    }

    [Fact]
    public async Task Cancel_PartOfAReservedLine_KeepsTheRestReserved()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 10);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 5)));

        var cancelled = await _scenario.Order(orderId).CancelAsync(new CancelRequest { Reason = "fewer", Lines = [new LineQuantity { LineId = "1", Quantity = 2 }] });

        var line = Assert.Single(cancelled.Lines);
        Assert.Equal((5, 2, 3, 0), (line.Ordered, line.Cancelled, line.Reserved, line.Backordered));
        Assert.Equal(3, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        Assert.Equal(OrderStatus.Released, cancelled.Status);
    }

    [Fact]
    public async Task Cancel_WhenEverythingShipped_IsAnInvalidTransition()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 10);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)));
        await _scenario.Order(orderId).ConfirmShipmentAsync(Shipment(orderId, "shp-1", warehouse, 2));

        var whole = await Assert.ThrowsAsync<RetailException>(() => _scenario.Order(orderId).CancelAsync(new CancelRequest { Reason = "late" }));
        var line = await Assert.ThrowsAsync<RetailException>(() => _scenario.Order(orderId).CancelAsync(new CancelRequest
        {
            Reason = "late",
            Lines = [new LineQuantity { LineId = "1", Quantity = 1 }],
        }));

        Assert.Equal(ProblemCodes.InvalidTransition, whole.Code);
        Assert.Equal(ProblemCodes.InvalidTransition, line.Code);
        Assert.Equal(OrderStatus.Shipped, (await _scenario.ViewAsync(orderId)).Status);
    }

    [Fact]
    public async Task Return_OfShippedUnits_IsAuthorisedThenRestockedAtTheReceivingLocation()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var store = await _scenario.LocationAsync("st", LocationType.Store, priority: 5);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 10);
        await _scenario.StockAsync(sku, store, 0);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        var order = _scenario.Order(orderId);
        await order.ConfirmShipmentAsync(Shipment(orderId, "shp-1", warehouse, 3));
        await order.PostInvoiceAsync(Invoice(orderId, "inv-1", 3));

        var tooMany = await Assert.ThrowsAsync<RetailException>(() => order.AuthorizeReturnAsync(new ReturnRequest { Reason = "x", Lines = [new LineQuantity { LineId = "1", Quantity = 4 }] }));
        var authorised = await order.AuthorizeReturnAsync(new ReturnRequest { Reason = "too small", Lines = [new LineQuantity { LineId = "1", Quantity = 2 }] });
        await order.ReceiveReturnAsync(Received(orderId, authorised.ReturnId, store, (2, true)));
        await order.ReceiveReturnAsync(Received(orderId, authorised.ReturnId, store, (2, true)));

        Assert.Equal(ProblemCodes.InvalidTransition, tooMany.Code);
        Assert.Equal(ReturnStatus.Authorized, authorised.Status);
        var view = await _scenario.ViewAsync(orderId);
        Assert.Equal(OrderStatus.Completed, view.Status);
        Assert.Equal(ReturnStatus.Received, Assert.Single(view.Returns).Status);
        Assert.Equal(2, Assert.Single(view.Lines).Returned);
        Assert.Equal(2, (await _scenario.Inventory(sku, store).GetAsync()).OnHand);
        Assert.Equal(7, (await _scenario.Inventory(sku, warehouse).GetAsync()).OnHand);
        var refund = Assert.Single(view.Refunds);
        Assert.Equal(RefundStatus.Pending, refund.Status);
        Assert.Equal(20.93m, refund.Amount);
        Assert.Contains(OrderScenario.ErpMessagesOf(orderId), m => m.Type == ErpMessageTypes.ReturnAuthorized);
        Assert.Equal([EventTypes.OrderReturnAuthorized, EventTypes.OrderReturned], OrderScenario.EventsOf(orderId).TakeLast(2).Select(e => e.Type));

        var beyond = await Assert.ThrowsAsync<RetailException>(() => order.AuthorizeReturnAsync(new ReturnRequest { Reason = "x", Lines = [new LineQuantity { LineId = "1", Quantity = 2 }] }));
        Assert.Equal(ProblemCodes.InvalidTransition, beyond.Code);
    }

    [Fact]
    public async Task ApplySnapshot_BelowReservations_ResourcesTheNewestOrderElsewhereAndRecordsVariance()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var store = await _scenario.LocationAsync("st", LocationType.Store, priority: 5);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 4);
        await _scenario.StockAsync(sku, store, 2);
        var (older, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)));
        var (newer, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)));
        var inventory = _scenario.Inventory(sku, warehouse);

        var applied = await inventory.ApplySnapshotAsync(DateTimeOffset.UtcNow, onHand: 2);
        var stale = await inventory.ApplySnapshotAsync(DateTimeOffset.UtcNow.AddHours(-1), onHand: 0);

        Assert.True(applied.Applied);
        Assert.Equal(-2, applied.Variance);
        Assert.False(stale.Applied);
        var moved = await OrderScenario.EventuallyAsync(() => _scenario.ViewAsync(newer),
            o => Assert.Single(o.Lines).Allocations.Any(a => a.LocationId == store));
        Assert.Equal(new Allocation { LocationId = store, Quantity = 2 }, Assert.Single(Assert.Single(moved.Lines).Allocations));
        Assert.Equal(OrderStatus.Released, moved.Status);
        Assert.Equal(new Allocation { LocationId = warehouse, Quantity = 2 }, Assert.Single(Assert.Single((await _scenario.ViewAsync(older)).Lines).Allocations));
        Assert.Equal((2, 2), ((await inventory.GetAsync()).OnHand, (await inventory.GetAsync()).Reserved));
        Assert.Equal(2, (await _scenario.Inventory(sku, store).GetAsync()).Reserved);
        var variance = await OrderScenario.EventuallyAsync(() => _scenario.ExceptionsOfAsync($"{sku}@{warehouse}"), e => e.Count > 0);
        Assert.Equal(ExceptionKinds.InventoryVariance, Assert.Single(variance).Kind);
    }

    [Fact]
    public async Task ApplySnapshot_ShortfallOfFourUnderThreeOrders_TakesBackOnlyFourNewestFirstAndResourcesOldestFirst()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var store = await _scenario.LocationAsync("st", LocationType.Store, priority: 5);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 10);
        await _scenario.StockAsync(sku, store, 2);
        var (oldest, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        var (middle, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        var (newest, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));
        var inventory = _scenario.Inventory(sku, warehouse);

        var applied = await inventory.ApplySnapshotAsync(DateTimeOffset.UtcNow, onHand: 5);

        Assert.Equal([newest, middle], applied.Released.Select(r => r.OrderId));
        var last = await OrderScenario.EventuallyAsync(() => _scenario.ViewAsync(newest), o => o.Status == OrderStatus.Backordered);
        Assert.Equal((1, 2), (Assert.Single(last.Lines).Reserved, last.Lines[0].Backordered));
        Assert.Equal([new Allocation { LocationId = store, Quantity = 1 }], last.Lines[0].Allocations);
        var second = await _scenario.ViewAsync(middle);
        Assert.Equal(OrderStatus.Released, second.Status);
        Assert.Equal(
            [new Allocation { LocationId = warehouse, Quantity = 2 }, new Allocation { LocationId = store, Quantity = 1 }],
            Assert.Single(second.Lines).Allocations);
        var first = await _scenario.ViewAsync(oldest);
        Assert.Equal(OrderStatus.Released, first.Status);
        Assert.Equal([new Allocation { LocationId = warehouse, Quantity = 3 }], Assert.Single(first.Lines).Allocations);
        Assert.Equal((5, 5), ((await inventory.GetAsync()).OnHand, (await inventory.GetAsync()).Reserved));
        Assert.Equal(2, (await _scenario.Inventory(sku, store).GetAsync()).Reserved);
    }

    [Fact]
    public async Task ApplySnapshot_WhenNoOtherLocationHasStock_BackordersTheReleasedOrder()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 3);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 3)));

        await _scenario.Inventory(sku, warehouse).ApplySnapshotAsync(DateTimeOffset.UtcNow, onHand: 1);

        var backordered = await OrderScenario.EventuallyAsync(() => _scenario.ViewAsync(orderId), o => o.Status == OrderStatus.Backordered);
        Assert.Equal(OrderStatus.Backordered, backordered.Status);
        var line = Assert.Single(backordered.Lines);
        Assert.Equal((1, 2), (line.Reserved, line.Backordered));
        Assert.Equal(1, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        Assert.Contains(await _scenario.ExceptionsOfAsync(orderId), e => e.Kind == ExceptionKinds.Backordered);
    }

    [Fact]
    public async Task Submit_WithSkuOfSlashesAndSpaces_ReservesItAtItsPosition()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = $"TEE/BLK M {Guid.NewGuid():N}";
        await _scenario.StockAsync(sku, warehouse, 5);

        var (orderId, result) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 2)));

        Assert.Equal(OrderStatus.Released, result.Status);
        Assert.Equal([new Allocation { LocationId = warehouse, Quantity = 2 }], Assert.Single((await _scenario.ViewAsync(orderId)).Lines).Allocations);
        var position = await _scenario.Inventory(sku, warehouse).GetAsync();
        Assert.Equal((sku, 2), (position.Sku, position.Reserved));
    }

    [Theory]
    [InlineData("TAB\tSKU")]
    [InlineData("")]
    [InlineData("LONG")]
    public async Task Submit_WithUnusableSku_HoldsWithUnknownSkuInsteadOfRefusing(string sku)
    {
        sku = sku == "LONG" ? new string('X', 256) : sku;

        var (orderId, result) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 1)));

        Assert.Equal(OrderStatus.OnHold, result.Status);
        var exception = Assert.Single(await _scenario.ExceptionsOfAsync(orderId));
        Assert.Equal(ExceptionKinds.UnknownSku, exception.Kind);
        Assert.Contains("no usable SKU", exception.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_WithUnknownSku_HoldsUntilRetriedAfterStockExists()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");

        var (orderId, result) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 1)));

        Assert.Equal(OrderStatus.OnHold, result.Status);
        var exception = Assert.Single(await _scenario.ExceptionsOfAsync(orderId));
        Assert.Equal(ExceptionKinds.UnknownSku, exception.Kind);
        Assert.Contains(sku, exception.Reason, StringComparison.Ordinal);

        var stillUnknown = await _scenario.ExceptionOf(exception.Id).RetryAsync(exception.Id);
        await _scenario.StockAsync(sku, warehouse, 3);
        var fixedNow = await _scenario.ExceptionOf(exception.Id).RetryAsync(exception.Id);

        Assert.Equal((ExceptionStatus.Open, 2), (stillUnknown.Status, stillUnknown.Attempts));
        Assert.Equal((ExceptionStatus.Resolved, 3), (fixedNow.Status, fixedNow.Attempts));
        Assert.Equal(OrderStatus.Released, (await _scenario.ViewAsync(orderId)).Status);
    }

    [Fact]
    public async Task Submit_WithTotalsThatDisagree_HoldsWithTotalsMismatch()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 3);
        var order = OrderScenario.Canonical(("1", sku, 1));
        order = order with { Totals = order.Totals! with { GrandTotal = order.Totals.GrandTotal + 0.02m } };

        var (orderId, result) = await _scenario.SubmitAsync(order);

        Assert.Equal(OrderStatus.OnHold, result.Status);
        Assert.Equal(ExceptionKinds.TotalsMismatch, Assert.Single(await _scenario.ExceptionsOfAsync(orderId)).Kind);
        Assert.Equal(0, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
        Assert.Equal([EventTypes.OrderReceived, EventTypes.OrderOnHold], OrderScenario.EventsOf(orderId).Select(e => e.Type));
    }

    [Fact]
    public async Task RejectPosting_HoldsUntilRetriedAndThenAccepted()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 3);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 1)));
        var order = _scenario.Order(orderId);

        await order.RejectPostingAsync(new OrderPostingRejected { OrderId = orderId, Code = "E42", Reason = "customer blocked" });
        var held = await _scenario.ViewAsync(orderId);
        var exception = Assert.Single(await _scenario.ExceptionsOfAsync(orderId));
        var retried = await _scenario.ExceptionOf(exception.Id).RetryAsync(exception.Id);
        var released = await _scenario.ViewAsync(orderId);
        await order.AcceptPostingAsync(new OrderPostingAccepted { OrderId = orderId, ErpOrderNumber = "SO-9" });

        Assert.Equal(OrderStatus.OnHold, held.Status);
        Assert.Contains("E42", held.HoldReason, StringComparison.Ordinal);
        Assert.Equal(ExceptionKinds.PostingRejected, exception.Kind);
        Assert.Equal(OrderStatus.Released, released.Status);
        Assert.Equal(2, OrderScenario.ErpMessagesOf(orderId).Count(m => m.Type == ErpMessageTypes.SalesOrderPosted));
        Assert.Equal(ExceptionStatus.Open, retried.Status);
        Assert.Equal(ExceptionStatus.Resolved, (await _scenario.ExceptionOf(exception.Id).GetAsync(exception.Id))!.Status);
        Assert.Equal("SO-9", (await _scenario.ViewAsync(orderId)).ErpOrderNumber);
    }

    [Fact]
    public async Task Operations_OnAnOrderThatDoesNotExist_AnswerOrderNotFound()
    {
        var order = _scenario.Order(OrderScenario.NewId("missing"));

        var cancel = await Assert.ThrowsAsync<RetailException>(() => order.CancelAsync(new CancelRequest { Reason = "x" }));
        var payment = await Assert.ThrowsAsync<RetailException>(() => order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Captured }));

        Assert.Equal(ProblemCodes.OrderNotFound, cancel.Code);
        Assert.Equal(ProblemCodes.OrderNotFound, payment.Code);
        Assert.Null(await order.GetAsync());
    }

    [Fact]
    public async Task Timeline_RecordsEveryStepWithItsCorrelationId()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 3);
        RequestContext.Set(RetailRequestContext.CorrelationIdKey, "corr-42");
        try
        {
            var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 1)));

            var timeline = (await _scenario.ViewAsync(orderId)).Timeline;

            Assert.Equal(["received", "sourced", "status", "posted", "status"], timeline.Select(t => t.Type));
            Assert.All(timeline, t => Assert.Equal("corr-42", t.CorrelationId));
            Assert.All(OrderScenario.EventsOf(orderId), e => Assert.Equal("corr-42", e.CorrelationId));
        }
        finally
        {
            RequestContext.Remove(RetailRequestContext.CorrelationIdKey);
        }
    }

    private async Task<OrderSummary?> DirectoryEntryAsync(string orderId)
    {
        var page = await fixture.Grains.GetGrain<IOrderDirectoryGrain>(IOrderDirectoryGrain.Key).ReceivedSinceAsync(DateTimeOffset.UtcNow.AddMinutes(-10));
        return page.FirstOrDefault(s => s.OrderId == orderId);
    }

    internal static ShipmentConfirmed Shipment(string orderId, string shipmentId, string locationId, int quantity) => new()
    {
        OrderId = orderId,
        ShipmentId = shipmentId,
        LocationId = locationId,
        ShippedAt = DateTimeOffset.UtcNow,
        Carrier = "UPS",
        TrackingNumber = "1Z",
        Lines = [new LineQuantity { LineId = "1", Quantity = quantity }],
    };

    internal static InvoicePosted Invoice(string orderId, string invoiceId, int quantity) => new()
    {
        OrderId = orderId,
        InvoiceId = invoiceId,
        PostedAt = DateTimeOffset.UtcNow,
        Lines = [new InvoiceLine { LineId = "1", Quantity = quantity, Amount = quantity * 10m }],
        Total = quantity * 10m,
    };

    private static ReturnReceived Received(string orderId, string returnId, string locationId, (int Quantity, bool Resellable) line) => new()
    {
        OrderId = orderId,
        ReturnId = returnId,
        LocationId = locationId,
        ReceivedAt = DateTimeOffset.UtcNow,
        Lines = [new ReturnedLine { LineId = "1", Quantity = line.Quantity, Resellable = line.Resellable }],
    };
}
