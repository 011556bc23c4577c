using System.Text.Json.Serialization;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;
using Retail.Grains.Outbox;

namespace Retail.Grains.Orders;

/// <summary>
/// One order as stored (grain state "order"; jsonb with PostgreSQL). The operations read model never reads these
/// fields: the state declares its listing rows (<see cref="ListingRows"/>), which the storage writes with it.
/// </summary>
[GenerateSerializer, Alias("Retail.OrderState")]
internal sealed class OrderState : IHasOutbox, IProjectedState
{
    [Id(0)] public string OrderId { get; set; } = "";
    [Id(1)] public string Channel { get; set; } = "";
    [Id(2)] public string ChannelOrderId { get; set; } = "";
    /// <summary>Derived from the lines, the payment and the hold by <see cref="OrderStatusRules.Derive"/>.</summary>
    [Id(3)] public OrderStatus Status { get; set; }
    [Id(4)] public DateTimeOffset ReceivedAt { get; set; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(6)] public DateTimeOffset? ReleasedAt { get; set; }
    [Id(7)] public DateTimeOffset? PostingAcceptedAt { get; set; }
    [Id(8)] public DateTimeOffset? ShippedAt { get; set; }
    [Id(9)] public decimal RefundPendingAmount { get; set; }
    [Id(10)] public string? HoldReason { get; set; }
    [Id(11)] public decimal GrandTotal { get; set; }

    /// <summary>The canonical order as received (with its orderId).</summary>
    [Id(12)] public CanonicalOrder Order { get; set; } = new();
    [Id(13)] public List<OrderLineState> Lines { get; set; } = [];
    /// <summary>The payment as last reported; null for an order on account (nothing to wait for).</summary>
    [Id(14)] public Payment? Payment { get; set; }
    /// <summary>The exception kind the order is held for (<see cref="Contracts.Exceptions.ExceptionKinds"/>), or null.</summary>
    [Id(15)] public string? HoldKind { get; set; }
    [Id(16)] public string? ErpOrderNumber { get; set; }
    /// <summary>The ERP's last rejection of the posting, until it accepts one.</summary>
    [Id(17)] public string? PostingRejection { get; set; }
    /// <summary>When unpaid reservations lapse; null when paid, on account or nothing is reserved unpaid.</summary>
    [Id(18)] public DateTimeOffset? PaymentDueAt { get; set; }
    [Id(19)] public List<RefundState> Refunds { get; set; } = [];
    [Id(20)] public List<ReturnState> Returns { get; set; } = [];
    [Id(21)] public List<TimelineEntry> Timeline { get; set; } = [];
    [Id(22)] public List<string> AppliedShipmentIds { get; set; } = [];
    [Id(23)] public List<string> AppliedInvoiceIds { get; set; } = [];
    [Id(24)] public List<string> AppliedProviderRefundIds { get; set; } = [];
    /// <summary>Exception records this order has open in the registry, by kind, with their reason.</summary>
    [Id(25)] public Dictionary<string, string> OpenExceptions { get; set; } = new(StringComparer.Ordinal);
    [Id(27)] public OutboxState Outbox { get; set; } = new();
    /// <summary>False until the order went through sourcing once (a held order may never have).</summary>
    [Id(28)] public bool Sourced { get; set; }
    /// <summary>The promise notices (<c>PromisesChanged.NoticeId</c>) already applied, so that a redelivered one changes nothing.</summary>
    [Id(29)] public List<string> AppliedPromiseNotices { get; set; } = [];

    /// <summary>The order's row in the order list and one row per return; none before the order is received.</summary>
    public IReadOnlyList<IListingRow> ListingRows()
    {
        if (OrderId.Length == 0)
        {
            return [];
        }
        var rows = new List<IListingRow>(1 + Returns.Count) { new OrderListing(Summary()) };
        foreach (var returned in Returns)
        {
            var refundedAt = returned.RefundId is { } refundId ? Refunds.FirstOrDefault(r => r.RefundId == refundId)?.ConfirmedAt : null;
            rows.Add(new ReturnListing(OrderId, returned.ReturnId, returned.AuthorizedAt, returned.ReceivedAt, refundedAt));
        }
        return rows;
    }

    public OrderSummary Summary() => new()
    {
        OrderId = OrderId,
        Channel = Channel,
        ChannelOrderId = ChannelOrderId,
        Status = Status,
        ReceivedAt = ReceivedAt,
        UpdatedAt = UpdatedAt,
        ReleasedAt = ReleasedAt,
        PostingAcceptedAt = PostingAcceptedAt,
        ShippedAt = ShippedAt,
        RefundPendingAmount = RefundPendingAmount,
        HoldReason = HoldReason,
        GrandTotal = GrandTotal,
    };
}

[GenerateSerializer, Alias("Retail.OrderLineState")]
internal sealed class OrderLineState
{
    [Id(0)] public string LineId { get; set; } = "";
    [Id(1)] public string Sku { get; set; } = "";
    [Id(2)] public int Ordered { get; set; }
    [Id(3)] public int Shipped { get; set; }
    [Id(4)] public int Invoiced { get; set; }
    [Id(5)] public int Cancelled { get; set; }
    [Id(6)] public int Returned { get; set; }
    [Id(7)] public int Refunded { get; set; }
    [Id(8)] public decimal UnitPrice { get; set; }
    [Id(9)] public decimal Discount { get; set; }
    [Id(10)] public decimal Tax { get; set; }
    /// <summary>Every reservation this line ever held, open or not, oldest first.</summary>
    [Id(11)] public List<AllocationState> Allocations { get; set; } = [];
    /// <summary>Every promise of inbound supply this line ever held, open or not, oldest first.</summary>
    [Id(12)] public List<PromiseState> Promises { get; set; } = [];

    /// <summary>Units held by open reservations, not yet shipped.</summary>
    [JsonIgnore]
    public int Reserved => Allocations.Sum(a => a.Open);

    /// <summary>Units promised from inbound supply, not yet received.</summary>
    [JsonIgnore]
    public int Promised => Promises.Sum(p => p.Open);

    /// <summary>When the last promised unit is expected; null when nothing is promised.</summary>
    [JsonIgnore]
    public DateTimeOffset? PromisedAt => Promises.Where(p => p.Open > 0).Select(p => (DateTimeOffset?)p.PromisedAt).Max();

    /// <summary>Units neither reserved, promised, shipped nor cancelled: what no location could supply.</summary>
    [JsonIgnore]
    public int Backordered => Ordered - Shipped - Cancelled - Reserved - Promised;

    /// <summary>Units that may still be cancelled.</summary>
    [JsonIgnore]
    public int Cancellable => Ordered - Shipped - Cancelled;
}

/// <summary>
/// One reservation of a line at a location. Its reservation id is <c>(orderId, ReservationLineId)</c> with
/// <see cref="ReservationLineId"/> = <c>{lineId}@{locationId}</c> for the line's first reservation there and
/// <c>{lineId}@{locationId}#{n}</c> for the n-th, so a line split across locations, or reserved again after a
/// release, never reuses the id of an earlier reservation.
/// </summary>
[GenerateSerializer, Alias("Retail.AllocationState")]
internal sealed class AllocationState
{
    [Id(0)] public string LocationId { get; set; } = "";
    [Id(1)] public string ReservationLineId { get; set; } = "";
    /// <summary>Units the reservation held when taken.</summary>
    [Id(2)] public int Quantity { get; set; }
    [Id(3)] public int Shipped { get; set; }
    /// <summary>Units given back (cancelled, expired, released by a stock count or a payment timeout).</summary>
    [Id(4)] public int Released { get; set; }
    /// <summary>When the unpaid reservation lapses; null once confirmed (paid).</summary>
    [Id(5)] public DateTimeOffset? ExpiresAt { get; set; }
    [Id(6)] public DateTimeOffset ReservedAt { get; set; }
    [Id(7)] public string? ReleaseReason { get; set; }

    /// <summary>Units still held at the location.</summary>
    [JsonIgnore]
    public int Open => Quantity - Shipped - Released;
}

/// <summary>
/// A future reservation of a line against a location's inbound supply. Its id is named like a reservation's (and in the
/// same sequence), because when the supply arrives it becomes the reservation of that id.
/// </summary>
[GenerateSerializer, Alias("Retail.PromiseState")]
internal sealed class PromiseState
{
    [Id(0)] public string LocationId { get; set; } = "";
    [Id(1)] public string ReservationLineId { get; set; } = "";
    [Id(2)] public int Quantity { get; set; }
    /// <summary>Units that became a reservation (an allocation of the same id).</summary>
    [Id(3)] public int Converted { get; set; }
    /// <summary>Units given up (the supply was cut or arrived short, the line was cancelled).</summary>
    [Id(4)] public int Released { get; set; }
    [Id(5)] public DateTimeOffset PromisedAt { get; set; }
    [Id(6)] public DateTimeOffset MadeAt { get; set; }
    [Id(7)] public string? ReleaseReason { get; set; }

    [JsonIgnore]
    public int Open => Quantity - Converted - Released;
}

[GenerateSerializer, Alias("Retail.RefundState")]
internal sealed class RefundState
{
    [Id(0)] public string RefundId { get; set; } = "";
    [Id(1)] public decimal Amount { get; set; }
    [Id(2)] public RefundStatus Status { get; set; }
    [Id(3)] public string Reason { get; set; } = "";
    [Id(4)] public DateTimeOffset RequestedAt { get; set; }
    [Id(5)] public DateTimeOffset? ConfirmedAt { get; set; }
    /// <summary>The units the refund is for; credited to the lines' refunded quantity when it is confirmed.</summary>
    [Id(6)] public List<LineQuantity> Lines { get; set; } = [];
    /// <summary>The payment provider's ids of the refunds that settled it.</summary>
    [Id(7)] public List<string> ProviderRefundIds { get; set; } = [];
    /// <summary>For money the provider took after the order was cancelled (an exception stays open until it is refunded).</summary>
    [Id(8)] public bool AfterCancellation { get; set; }
}

[GenerateSerializer, Alias("Retail.ReturnState")]
internal sealed class ReturnState
{
    [Id(0)] public string ReturnId { get; set; } = "";
    [Id(1)] public ReturnStatus Status { get; set; }
    [Id(2)] public string Reason { get; set; } = "";
    [Id(3)] public List<LineQuantity> Lines { get; set; } = [];
    [Id(4)] public DateTimeOffset AuthorizedAt { get; set; }
    [Id(5)] public DateTimeOffset? ReceivedAt { get; set; }
    [Id(6)] public string? LocationId { get; set; }
    /// <summary>The refund the received goods caused; null when no money was taken.</summary>
    [Id(7)] public string? RefundId { get; set; }
}

