namespace Retail.Contracts.Orders;

/// <summary>The order's status, derived from its lines and payment (CONTRACTS.md section 2).</summary>
public enum OrderStatus
{
    Received,
    Reserved,
    Backordered,
    OnHold,
    Released,
    PartiallyShipped,
    Shipped,
    Completed,
    Cancelled,
    /// <summary>Every line is reserved or promised from inbound supply, and some of it is promised.</summary>
    Promised,
}

/// <summary>What GET /orders/{orderId} answers: the order with its line quantities, payment, refunds, returns and timeline.</summary>
[GenerateSerializer, Immutable, Alias("Retail.OrderView")]
public sealed record OrderView
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string Channel { get; init; } = "";
    [Id(2)] public string ChannelOrderId { get; init; } = "";
    [Id(3)] public OrderStatus Status { get; init; }
    [Id(4)] public DateTimeOffset? PlacedAt { get; init; }
    [Id(5)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(7)] public string Currency { get; init; } = "";
    [Id(8)] public Fulfillment Fulfillment { get; init; } = new();
    [Id(9)] public IReadOnlyList<OrderLineView> Lines { get; init; } = [];
    [Id(10)] public Totals? Totals { get; init; }
    [Id(11)] public Payment? Payment { get; init; }
    /// <summary>Why the order is on hold, when it is.</summary>
    [Id(12)] public string? HoldReason { get; init; }
    [Id(13)] public string? ErpOrderNumber { get; init; }
    [Id(14)] public IReadOnlyList<RefundView> Refunds { get; init; } = [];
    [Id(15)] public IReadOnlyList<ReturnView> Returns { get; init; } = [];
    [Id(16)] public IReadOnlyList<TimelineEntry> Timeline { get; init; } = [];
}

/// <summary>A line's quantities; their invariants are the truth the status is derived from.</summary>
[GenerateSerializer, Immutable, Alias("Retail.OrderLineView")]
public sealed record OrderLineView
{
    [Id(0)] public string LineId { get; init; } = "";
    [Id(1)] public string Sku { get; init; } = "";
    [Id(2)] public int Ordered { get; init; }
    [Id(3)] public int Reserved { get; init; }
    [Id(4)] public int Shipped { get; init; }
    [Id(5)] public int Invoiced { get; init; }
    [Id(6)] public int Cancelled { get; init; }
    [Id(7)] public int Returned { get; init; }
    [Id(8)] public int Refunded { get; init; }
    /// <summary>Ordered minus reserved, shipped and cancelled: what no location could supply.</summary>
    [Id(9)] public int Backordered { get; init; }
    [Id(10)] public IReadOnlyList<Allocation> Allocations { get; init; } = [];
    [Id(11)] public decimal UnitPrice { get; init; }
    [Id(12)] public decimal Discount { get; init; }
    [Id(13)] public decimal Tax { get; init; }
    /// <summary>Units promised from inbound supply (future reservations), not yet received.</summary>
    [Id(14)] public int Promised { get; init; }
    /// <summary>When the last promised unit is expected; null when nothing is promised.</summary>
    [Id(15)] public DateTimeOffset? PromisedAt { get; init; }
}

/// <summary>Units of a line reserved (and later shipped) at one location.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Allocation")]
public sealed record Allocation
{
    [Id(0)] public string LocationId { get; init; } = "";
    [Id(1)] public int Quantity { get; init; }
}

public enum RefundStatus
{
    Pending,
    Confirmed,
}

[GenerateSerializer, Immutable, Alias("Retail.RefundView")]
public sealed record RefundView
{
    [Id(0)] public string RefundId { get; init; } = "";
    [Id(1)] public decimal Amount { get; init; }
    [Id(2)] public RefundStatus Status { get; init; }
    [Id(3)] public string Reason { get; init; } = "";
    [Id(4)] public DateTimeOffset RequestedAt { get; init; }
    [Id(5)] public DateTimeOffset? ConfirmedAt { get; init; }
}

public enum ReturnStatus
{
    Authorized,
    Received,
}

[GenerateSerializer, Immutable, Alias("Retail.ReturnView")]
public sealed record ReturnView
{
    [Id(0)] public string ReturnId { get; init; } = "";
    [Id(1)] public ReturnStatus Status { get; init; }
    [Id(2)] public string Reason { get; init; } = "";
    [Id(3)] public IReadOnlyList<LineQuantity> Lines { get; init; } = [];
    [Id(4)] public DateTimeOffset AuthorizedAt { get; init; }
    [Id(5)] public DateTimeOffset? ReceivedAt { get; init; }
}

/// <summary>One step in the order's life: when, what, why and under which correlation id.</summary>
[GenerateSerializer, Immutable, Alias("Retail.TimelineEntry")]
public sealed record TimelineEntry
{
    [Id(0)] public DateTimeOffset At { get; init; }
    [Id(1)] public string Type { get; init; } = "";
    [Id(2)] public string Detail { get; init; } = "";
    [Id(3)] public string? CorrelationId { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.LineQuantity")]
public sealed record LineQuantity
{
    [Id(0)] public string LineId { get; init; } = "";
    [Id(1)] public int Quantity { get; init; }
}
