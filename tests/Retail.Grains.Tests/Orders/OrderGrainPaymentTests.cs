using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

/// <summary>The payment provider's news in any order: the order grain alone decides what each one means.</summary>
[Collection(ClusterCollection.Name)]
public sealed class OrderGrainPaymentTests(ClusterFixture fixture)
{
    private readonly OrderScenario _scenario = new(fixture.Grains);

    [Fact]
    public async Task UpdatePayment_FailedThenSucceededOnTheCancelledOrder_RequestsARefundAndRaisesAnException()
    {
        var (orderId, sku, warehouse) = await PendingOrderAsync();
        var order = _scenario.Order(orderId);
        var cancelled = await order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Failed, Reason = "card declined" });

        var late = await order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Captured, Amount = 25.00m, Provider = "stripe" });

        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
        Assert.Equal(OrderStatus.Cancelled, late.Status);
        Assert.Equal(PaymentStatuses.Captured, late.Payment!.Status);
        var refund = Assert.Single(late.Refunds);
        Assert.Equal((25.00m, RefundStatus.Pending), (refund.Amount, refund.Status));
        Assert.Contains(OrderScenario.ErpMessagesOf(orderId), m => m.Type == ErpMessageTypes.RefundRequested);
        var exception = Assert.Single(await _scenario.ExceptionsOfAsync(orderId));
        Assert.Equal(ExceptionKinds.PaymentAfterCancellation, exception.Kind);
        Assert.Equal(0, (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved);
    }

    [Fact]
    public async Task ConfirmRefund_OfTheLateCapture_ResolvesItsException()
    {
        var (orderId, _, _) = await PendingOrderAsync();
        var order = _scenario.Order(orderId);
        await order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Failed });
        await order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Captured, Amount = 25.00m });
        var exception = Assert.Single(await _scenario.ExceptionsOfAsync(orderId));

        await order.ConfirmRefundAsync(new RefundConfirmation { ProviderRefundId = "re_1", Amount = 25.00m, Provider = "stripe" });

        Assert.Empty(await _scenario.ExceptionsOfAsync(orderId));
        Assert.Equal(ExceptionStatus.Resolved, (await _scenario.ExceptionOf(exception.Id).GetAsync(exception.Id))!.Status);
    }

    [Fact]
    public async Task UpdatePayment_FailedAfterCapture_IsRefusedAndChangesNothing()
    {
        var (orderId, _, _) = await PendingOrderAsync();
        var order = _scenario.Order(orderId);
        var captured = await order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Captured });

        var refused = await Assert.ThrowsAsync<RetailException>(() => order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Failed }));

        Assert.Equal(ProblemCodes.InvalidTransition, refused.Code);
        var after = await _scenario.ViewAsync(orderId);
        Assert.Equal((OrderStatus.Released, PaymentStatuses.Captured), (after.Status, after.Payment!.Status));
        Assert.Equal(captured.Timeline.Count, after.Timeline.Count);
    }

    [Fact]
    public async Task UpdatePayment_LateAuthorizationOrPendingNews_ChangesNothing()
    {
        var (orderId, _, _) = await PendingOrderAsync();
        var order = _scenario.Order(orderId);
        var captured = await order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Captured });

        var authorized = await order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Authorized });
        var pending = await order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Pending });

        Assert.Equal(PaymentStatuses.Captured, authorized.Payment!.Status);
        Assert.Equal(PaymentStatuses.Captured, pending.Payment!.Status);
        Assert.Equal(captured.Timeline.Count, pending.Timeline.Count);
    }

    [Fact]
    public async Task UpdatePayment_OppositeNewsAtOnce_EndsInOneConsistentState()
    {
        for (var round = 0; round < 6; round++)
        {
            var (orderId, sku, warehouse) = await PendingOrderAsync();
            var order = _scenario.Order(orderId);

            var failed = order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Failed });
            var captured = order.UpdatePaymentAsync(new PaymentUpdate { Status = PaymentStatuses.Captured, Amount = 25.00m });
            await Task.WhenAll(Settle(failed), Settle(captured));

            var view = await _scenario.ViewAsync(orderId);
            var reserved = (await _scenario.Inventory(sku, warehouse).GetAsync()).Reserved;
            Assert.Equal(PaymentStatuses.Captured, view.Payment!.Status);
            if (view.Status == OrderStatus.Cancelled)
            {
                // The failure came first: the capture that followed is owed back.
                Assert.True(failed.IsCompletedSuccessfully);
                Assert.Equal(25.00m, Assert.Single(view.Refunds).Amount);
                Assert.Equal(0, reserved);
                Assert.Equal(ExceptionKinds.PaymentAfterCancellation, Assert.Single(await _scenario.ExceptionsOfAsync(orderId)).Kind);
            }
            else
            {
                // The capture came first: the failure was refused.
                Assert.Equal(OrderStatus.Released, view.Status);
                Assert.Equal(ProblemCodes.InvalidTransition, Assert.IsType<RetailException>(failed.Exception!.InnerException).Code);
                Assert.Empty(view.Refunds);
                Assert.Equal(2, reserved);
            }
        }
    }

    private static async Task Settle(Task task)
    {
        try
        {
            await task;
        }
        catch (RetailException)
        {
        }
    }

    private async Task<(string OrderId, string Sku, string Warehouse)> PendingOrderAsync()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 5);
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical([("1", sku, 2)], PaymentStatuses.Pending));
        return (orderId, sku, warehouse);
    }
}
