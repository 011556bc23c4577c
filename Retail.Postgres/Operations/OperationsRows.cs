namespace Retail.Postgres.Operations;

/// <summary>One order as the operations views list it, read from the order grain's state.</summary>
public sealed record OrderSummaryRow(
    string OrderId,
    string? Channel,
    string? ChannelOrderId,
    string? Status,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? UpdatedAt);

/// <summary>Which orders to list; every criterion given must hold.</summary>
/// <param name="Status">The order status, e.g. <c>Reserved</c>.</param>
/// <param name="Channel">The sales channel, e.g. <c>shopify</c>.</param>
/// <param name="OlderThan">Only orders received more than this long ago (order aging).</param>
public sealed record OrderFilter(string? Status = null, string? Channel = null, TimeSpan? OlderThan = null);

/// <summary>A page of orders, oldest first, and the cursor of the next page (null on the last page).</summary>
public sealed record OrderPage(IReadOnlyList<OrderSummaryRow> Orders, string? NextCursor);

/// <summary>An open exception record of the exception registry.</summary>
public sealed record OpenExceptionRow(
    string Id,
    string? Kind,
    string? BusinessKey,
    string? Reason,
    int Attempts,
    DateTimeOffset CreatedAt,
    TimeSpan Age);

/// <summary>How many orders have one status in one channel.</summary>
public sealed record OrderCountRow(string? Status, string? Channel, long Count);
