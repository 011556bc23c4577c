using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;

namespace Retail.Api.Operations;

/// <summary>
/// What the operations views read: the order list and the inputs of the KPIs. Answered by the order directory and the
/// in-memory listings (embedded mode) or by the listing tables (PostgreSQL).
/// </summary>
public interface IOperationsReadModel
{
    /// <summary>Orders oldest received first; <see cref="OrderListQuery.Cursor"/> is the position a previous page ended at.</summary>
    Task<OrderPage> ListOrdersAsync(OrderListQuery query, CancellationToken cancellationToken);

    /// <summary>The orders and returns since <paramref name="since"/>, the open exceptions and today's inventory variances.</summary>
    Task<KpiInputs> ReadKpiInputsAsync(DateTimeOffset since, DateTimeOffset startOfToday, CancellationToken cancellationToken);
}

/// <summary>The facts the KPIs are computed from (<see cref="KpiCalculator"/>).</summary>
/// <param name="Orders">Orders received in the look-back window.</param>
/// <param name="OpenExceptions">Every open exception record.</param>
/// <param name="VarianceExceptionsToday">InventoryVariance exception records created today, open or resolved.</param>
/// <param name="ResolvedExceptions">Exception records created in the look-back window and resolved since.</param>
/// <param name="Returns">Returns authorised in the look-back window.</param>
public sealed record KpiInputs(
    IReadOnlyList<OrderSummary> Orders,
    IReadOnlyList<ExceptionRecord> OpenExceptions,
    IReadOnlyList<ExceptionRecord> VarianceExceptionsToday,
    IReadOnlyList<ExceptionRecord>? ResolvedExceptions = null,
    IReadOnlyList<ReturnListing>? Returns = null);
