using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;

namespace Retail.Contracts.Projections;

/// <summary>
/// A grain state that owns rows of the operations read model. The grain storage writes the rows with the state, in the
/// same transaction: a row is never newer or older than the state that declared it. The rows are the project's own
/// listing types, so a state may rename or reshape its fields without changing what the listings answer.
/// </summary>
public interface IProjectedState
{
    /// <summary>The rows this state owns as it is now; a row the state no longer declares keeps its last value.</summary>
    IReadOnlyList<IListingRow> ListingRows();
}

/// <summary>A row of a listing: <see cref="OrderListing"/>, <see cref="ReturnListing"/> or <see cref="ExceptionListing"/>.</summary>
public interface IListingRow;

/// <summary>
/// An order as the order list and the KPIs see it (listing version <see cref="Version"/>; storage keeps the version with
/// the row, so a reader can tell rows of an older shape).
/// </summary>
public sealed record OrderListing(OrderSummary Summary) : IListingRow
{
    /// <summary>The shape of the row: raised when a column changes meaning.</summary>
    public const int Version = 1;
}

/// <summary>One return of an order: authorised, received (goods back), refunded (the refund it caused confirmed).</summary>
public sealed record ReturnListing(
    string OrderId,
    string ReturnId,
    DateTimeOffset AuthorizedAt,
    DateTimeOffset? ReceivedAt,
    DateTimeOffset? RefundedAt) : IListingRow
{
    public const int Version = 1;
}

/// <summary>An exception record as the exception list, its groups and the KPIs see it.</summary>
public sealed record ExceptionListing(ExceptionRecord Record) : IListingRow
{
    public const int Version = 1;
}
