using Retail.Contracts.Orders;

namespace Retail.Contracts.Events;

/// <summary>The data of every <c>retail.order.*</c> event: the order's state after the step.</summary>
public sealed record OrderEventData
{
    public string OrderId { get; init; } = "";
    public string Channel { get; init; } = "";
    public string ChannelOrderId { get; init; } = "";
    public OrderStatus Status { get; init; }
    /// <summary>What the step was about, in words (a hold reason, a cancellation reason).</summary>
    public string? Detail { get; init; }
    /// <summary>The quantities the step touched (shipped, cancelled, returned...), when it touched lines.</summary>
    public IReadOnlyList<LineQuantity>? Lines { get; init; }
    /// <summary>The amount the step concerned (a refund), when it concerned money.</summary>
    public decimal? Amount { get; init; }
    /// <summary>For promised and promise-changed: what is promised from inbound supply, per line.</summary>
    public IReadOnlyList<LinePromise>? Promises { get; init; }
}

/// <summary>Units of an order line promised from inbound supply at a location, and when they are expected.</summary>
public sealed record LinePromise
{
    public string LineId { get; init; } = "";
    public string LocationId { get; init; } = "";
    public int Quantity { get; init; }
    public DateTimeOffset PromisedAt { get; init; }
}

/// <summary>The data of <c>retail.inventory.inbound-changed</c>: one supply of a position after the change.</summary>
public sealed record InboundChangedEventData
{
    public string Sku { get; init; } = "";
    public string LocationId { get; init; } = "";
    public string Reference { get; init; } = "";
    public string Kind { get; init; } = "";
    /// <summary>Units still expected under the reference (0 once received or cancelled).</summary>
    public int Quantity { get; init; }
    public int Promised { get; init; }
    public DateTimeOffset? ExpectedAt { get; init; }
    /// <summary>All supply expected at the position.</summary>
    public int Inbound { get; init; }
    public string Reason { get; init; } = "";
}

/// <summary>The data of <c>retail.transfer.shipped</c> and <c>retail.transfer.received</c>.</summary>
public sealed record TransferEventData
{
    public string TransferId { get; init; } = "";
    public string FromLocationId { get; init; } = "";
    public string ToLocationId { get; init; } = "";
    public DateTimeOffset At { get; init; }
    public DateTimeOffset? ExpectedAt { get; init; }
    public IReadOnlyList<Erp.SkuQuantity> Lines { get; init; } = [];
    /// <summary>For received: per SKU, received minus shipped, where they differ.</summary>
    public IReadOnlyList<Erp.SkuQuantity>? Variances { get; init; }
}

/// <summary>The data of <c>retail.inventory.changed</c> and <c>retail.inventory.variance-detected</c>.</summary>
public sealed record InventoryEventData
{
    public string Sku { get; init; } = "";
    public string LocationId { get; init; } = "";
    public int OnHand { get; init; }
    public int SafetyStock { get; init; }
    public int Reserved { get; init; }
    public int Available { get; init; }
    /// <summary>For variance-detected: counted minus expected.</summary>
    public int? Variance { get; init; }
    public string? Reason { get; init; }
}

/// <summary>The data of <c>retail.exception.raised</c> and <c>retail.exception.resolved</c>.</summary>
public sealed record ExceptionEventData
{
    public string ExceptionId { get; init; } = "";
    public string Kind { get; init; } = "";
    public string BusinessKey { get; init; } = "";
    public string Reason { get; init; } = "";
    public int Attempts { get; init; }
    public string? Resolution { get; init; }
}
