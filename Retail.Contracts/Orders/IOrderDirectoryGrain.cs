using Orleans.Concurrency;

namespace Retail.Contracts.Orders;

/// <summary>
/// The operations view of one order: what lists, searches and KPIs need. The order grain's persisted state carries
/// the same fields at its top level, so that with PostgreSQL the same questions are answered in SQL.
/// </summary>
[GenerateSerializer, Immutable, Alias("Retail.OrderSummary")]
public sealed record OrderSummary
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string Channel { get; init; } = "";
    [Id(2)] public string ChannelOrderId { get; init; } = "";
    [Id(3)] public OrderStatus Status { get; init; }
    [Id(4)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>When the order was posted to the ERP.</summary>
    [Id(6)] public DateTimeOffset? ReleasedAt { get; init; }
    /// <summary>When the ERP accepted the posting.</summary>
    [Id(7)] public DateTimeOffset? PostingAcceptedAt { get; init; }
    /// <summary>When the last open unit shipped.</summary>
    [Id(8)] public DateTimeOffset? ShippedAt { get; init; }
    /// <summary>Money owed back to the customer and not yet confirmed by the payment provider.</summary>
    [Id(9)] public decimal RefundPendingAmount { get; init; }
    [Id(10)] public string? HoldReason { get; init; }
    [Id(11)] public decimal GrandTotal { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.OrderListQuery")]
public sealed record OrderListQuery
{
    [Id(0)] public OrderStatus? Status { get; init; }
    [Id(1)] public string? Channel { get; init; }
    /// <summary>Only orders received more than this many minutes ago.</summary>
    [Id(2)] public int? OlderThanMinutes { get; init; }
    [Id(3)] public int Limit { get; init; } = 50;
    /// <summary>Opaque cursor from the previous page.</summary>
    [Id(4)] public string? Cursor { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.OrderPage")]
public sealed record OrderPage
{
    [Id(0)] public IReadOnlyList<OrderSummary> Items { get; init; } = [];
    /// <summary>Null on the last page.</summary>
    [Id(1)] public string? NextCursor { get; init; }
}

/// <summary>
/// An in-memory directory of order summaries (a single grain, key <see cref="Key"/>), fed by the order grains when
/// the silo runs without PostgreSQL (embedded mode). Oldest first, keyset-paged on (receivedAt, orderId).
/// </summary>
[Alias("Retail.IOrderDirectoryGrain")]
public interface IOrderDirectoryGrain : IGrainWithStringKey
{
    const string Key = "default";

    [OneWay, Alias("Record")]
    Task RecordAsync(OrderSummary summary);

    [Alias("List")]
    Task<OrderPage> ListAsync(OrderListQuery query);

    /// <summary>Every summary received since <paramref name="since"/> (for KPIs).</summary>
    [Alias("Since")]
    Task<IReadOnlyList<OrderSummary>> ReceivedSinceAsync(DateTimeOffset since);
}
