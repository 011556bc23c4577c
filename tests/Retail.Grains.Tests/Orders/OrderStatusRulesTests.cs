using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Grains.Orders;

namespace Retail.Grains.Tests.Orders;

public sealed class OrderStatusRulesTests
{
    [Fact]
    public void Derive_BeforeSourcing_IsReceived()
    {
        var order = Order(Line(ordered: 2));

        Assert.Equal(OrderStatus.Received, OrderStatusRules.Derive(order));
    }

    [Fact]
    public void Derive_EveryUnitReserved_IsReservedUntilPostedThenReleased()
    {
        var order = Order(Line(ordered: 2, reserved: 2));
        order.Sourced = true;

        var reserved = OrderStatusRules.Derive(order);
        order.ReleasedAt = DateTimeOffset.UtcNow;

        Assert.Equal(OrderStatus.Reserved, reserved);
        Assert.Equal(OrderStatus.Released, OrderStatusRules.Derive(order));
    }

    [Fact]
    public void Derive_SomeUnitsUnplaced_IsBackordered()
    {
        var order = Order(Line(ordered: 2, reserved: 2), Line(ordered: 3, reserved: 1));
        order.Sourced = true;

        Assert.Equal(OrderStatus.Backordered, OrderStatusRules.Derive(order));
    }

    [Fact]
    public void Derive_Held_IsOnHoldWhateverTheLines()
    {
        var order = Order(Line(ordered: 2, reserved: 2));
        order.Sourced = true;
        order.HoldKind = ExceptionKinds.PostingRejected;

        Assert.Equal(OrderStatus.OnHold, OrderStatusRules.Derive(order));
    }

    [Fact]
    public void Derive_Shipping_IsPartiallyShippedThenShippedThenCompletedWhenInvoiced()
    {
        var line = Line(ordered: 3, reserved: 3);
        var order = Order(line);
        order.Sourced = true;
        order.ReleasedAt = DateTimeOffset.UtcNow;

        line.Allocations[0].Shipped = 1;
        line.Shipped = 1;
        var partly = OrderStatusRules.Derive(order);
        line.Allocations[0].Shipped = 3;
        line.Shipped = 3;
        var shipped = OrderStatusRules.Derive(order);
        line.Invoiced = 3;

        Assert.Equal(OrderStatus.PartiallyShipped, partly);
        Assert.Equal(OrderStatus.Shipped, shipped);
        Assert.Equal(OrderStatus.Completed, OrderStatusRules.Derive(order));
    }

    [Fact]
    public void Derive_ShippedAndTheRestCancelled_IsCompletedOnceInvoiced()
    {
        var line = Line(ordered: 3, reserved: 1);
        line.Allocations[0].Shipped = 1;
        line.Shipped = 1;
        line.Invoiced = 1;
        line.Cancelled = 2;
        var order = Order(line);
        order.Sourced = true;

        Assert.Equal(OrderStatus.Completed, OrderStatusRules.Derive(order));
    }

    [Fact]
    public void Derive_EverythingCancelled_IsCancelledEvenWhenHeld()
    {
        var line = Line(ordered: 2);
        line.Cancelled = 2;
        var order = Order(line);
        order.HoldKind = ExceptionKinds.UnknownSku;

        Assert.Equal(OrderStatus.Cancelled, OrderStatusRules.Derive(order));
    }

    [Fact]
    public void ShareOf_PartOfALine_TakesItsShareOfDiscountAndTax()
    {
        var line = new OrderLineState { Ordered = 3, UnitPrice = 10m, Discount = 3m, Tax = 2.40m };

        Assert.Equal(19.60m, OrderStatusRules.ShareOf(line, 2));
        Assert.Equal(29.40m, OrderStatusRules.ShareOf(line, 3));
    }

    private static OrderState Order(params OrderLineState[] lines) => new() { Lines = [.. lines] };

    private static OrderLineState Line(int ordered, int reserved = 0)
    {
        var line = new OrderLineState { LineId = Guid.NewGuid().ToString("N"), Sku = "A", Ordered = ordered };
        if (reserved > 0)
        {
            line.Allocations.Add(new AllocationState { LocationId = "wh-1", ReservationLineId = $"{line.LineId}@wh-1", Quantity = reserved });
        }
        return line;
    }
}
