namespace Retail.Postgres.Operations;

/// <summary>One order as the operations views list it, read from the order listing.</summary>
/// <param name="OrderId">The order id.</param>
/// <param name="Channel">The sales channel.</param>
/// <param name="ChannelOrderId">The channel's own order number.</param>
/// <param name="Status">The status enum name, e.g. <c>Reserved</c>.</param>
/// <param name="ReceivedAt">When Retail received the order.</param>
/// <param name="UpdatedAt">When the order last changed.</param>
/// <param name="ReleasedAt">When the order was posted to the ERP.</param>
/// <param name="PostingAcceptedAt">When the ERP accepted the posting.</param>
/// <param name="ShippedAt">When the last open unit shipped.</param>
/// <param name="RefundPendingAmount">Money owed back and not yet confirmed.</param>
/// <param name="HoldReason">Why the order is on hold.</param>
/// <param name="GrandTotal">The order's total.</param>
public sealed record OrderSummaryRow(
    string OrderId,
    string? Channel,
    string? ChannelOrderId,
    string? Status,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? ReleasedAt = null,
    DateTimeOffset? PostingAcceptedAt = null,
    DateTimeOffset? ShippedAt = null,
    decimal RefundPendingAmount = 0,
    string? HoldReason = null,
    decimal GrandTotal = 0);

/// <summary>Which orders to list; every criterion given must hold.</summary>
/// <param name="Status">The order status, e.g. <c>Reserved</c>.</param>
/// <param name="Channel">The sales channel, e.g. <c>shopify</c>.</param>
/// <param name="OlderThan">Only orders received more than this long ago (order aging).</param>
public sealed record OrderFilter(string? Status = null, string? Channel = null, TimeSpan? OlderThan = null);

/// <summary>A page of orders, oldest first, and the cursor of the next page (null on the last page).</summary>
public sealed record OrderPage(IReadOnlyList<OrderSummaryRow> Orders, string? NextCursor);

/// <summary>How many orders have one status in one channel.</summary>
public sealed record OrderCountRow(string? Status, string? Channel, long Count);

/// <summary>One return as the return listing holds it.</summary>
public sealed record ReturnRow(string OrderId, string ReturnId, DateTimeOffset AuthorizedAt, DateTimeOffset? ReceivedAt, DateTimeOffset? RefundedAt);
