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
