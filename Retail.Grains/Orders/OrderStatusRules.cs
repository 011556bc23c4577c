using Retail.Contracts.Orders;

namespace Retail.Grains.Orders;

/// <summary>The order's status as a function of its lines, its posting and its hold; never set by hand.</summary>
internal static class OrderStatusRules
{
    public static OrderStatus Derive(OrderState order)
    {
        var lines = order.Lines;
        if (lines.Count == 0)
        {
            return OrderStatus.Received;
        }
        if (lines.All(l => l.Cancelled >= l.Ordered))
        {
            return OrderStatus.Cancelled;
        }
        if (order.HoldKind is not null)
        {
            return OrderStatus.OnHold;
        }
        if (lines.Any(l => l.Shipped > 0))
        {
            if (lines.Any(l => l.Cancellable > 0))
            {
                return OrderStatus.PartiallyShipped;
            }
            return lines.All(l => l.Invoiced >= l.Shipped) ? OrderStatus.Completed : OrderStatus.Shipped;
        }
        if (!order.Sourced)
        {
            return OrderStatus.Received;
        }
        if (lines.Any(l => l.Backordered > 0))
        {
            return OrderStatus.Backordered;
        }
        if (lines.Any(l => l.Promised > 0))
        {
            return OrderStatus.Promised;
        }
        return order.ReleasedAt is null ? OrderStatus.Reserved : OrderStatus.Released;
    }

    /// <summary>Whether the payment lets the order go to the ERP: authorized, captured, or an order on account.</summary>
    public static bool IsPaid(Payment? payment) =>
        payment is null || payment.Status is PaymentStatuses.Authorized or PaymentStatuses.Captured;

    /// <summary>Whether money was taken from the customer, so that what is cancelled or returned must be refunded.</summary>
    public static bool MoneyTaken(Payment? payment) =>
        payment is { Status: PaymentStatuses.Authorized or PaymentStatuses.Captured };

    /// <summary>The customer's money for <paramref name="quantity"/> units of a line: price less its share of the discount plus its share of the tax.</summary>
    public static decimal ShareOf(OrderLineState line, int quantity)
    {
        if (line.Ordered <= 0 || quantity <= 0)
        {
            return 0m;
        }
        var fraction = (decimal)quantity / line.Ordered;
        return Math.Round((quantity * line.UnitPrice) - (line.Discount * fraction) + (line.Tax * fraction), 2, MidpointRounding.AwayFromZero);
    }
}
