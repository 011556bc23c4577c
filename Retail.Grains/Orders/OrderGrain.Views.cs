using Retail.Contracts.Orders;

namespace Retail.Grains.Orders;

internal sealed partial class OrderGrain
{
    public Task<bool> HoldsReservationAsync(string reservationLineId, string locationId) =>
        Task.FromResult(State.Lines.Any(line => line.Allocations.Any(allocation =>
            allocation.Open > 0 && allocation.ReservationLineId == reservationLineId && allocation.LocationId == locationId)));

    private OrderView ToView() => new()
    {
        OrderId = State.OrderId,
        Channel = State.Channel,
        ChannelOrderId = State.ChannelOrderId,
        Status = State.Status,
        PlacedAt = State.Order.PlacedAt,
        ReceivedAt = State.ReceivedAt,
        UpdatedAt = State.UpdatedAt,
        Currency = State.Order.Currency,
        Fulfillment = State.Order.Fulfillment,
        Lines = State.Lines.Select(l => new OrderLineView
        {
            LineId = l.LineId,
            Sku = l.Sku,
            Ordered = l.Ordered,
            Reserved = l.Reserved,
            Shipped = l.Shipped,
            Invoiced = l.Invoiced,
            Cancelled = l.Cancelled,
            Returned = l.Returned,
            Refunded = l.Refunded,
            Backordered = l.Backordered,
            Promised = l.Promised,
            PromisedAt = l.PromisedAt,
            Allocations = AllocationsByLocation(l),
            UnitPrice = l.UnitPrice,
            Discount = l.Discount,
            Tax = l.Tax,
        }).ToList(),
        Totals = State.Order.Totals,
        Payment = State.Payment,
        HoldReason = State.HoldReason,
        ErpOrderNumber = State.ErpOrderNumber,
        Refunds = State.Refunds.Select(r => new RefundView
        {
            RefundId = r.RefundId,
            Amount = r.Amount,
            Status = r.Status,
            Reason = r.Reason,
            RequestedAt = r.RequestedAt,
            ConfirmedAt = r.ConfirmedAt,
        }).ToList(),
        Returns = State.Returns.Select(ToView).ToList(),
        Timeline = State.Timeline.ToList(),
    };

    private static ReturnView ToView(ReturnState returned) => new()
    {
        ReturnId = returned.ReturnId,
        Status = returned.Status,
        Reason = returned.Reason,
        Lines = returned.Lines.ToList(),
        AuthorizedAt = returned.AuthorizedAt,
        ReceivedAt = returned.ReceivedAt,
    };

    private OrderSummary ToSummary() => State.Summary();
}
