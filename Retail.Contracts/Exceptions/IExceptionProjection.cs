namespace Retail.Contracts.Exceptions;

/// <summary>
/// The listing of exception records across business keys: rows the project owns (one per record,
/// <see cref="Projections.ExceptionListing"/>), written by the grain storage with the exception grains' state, and read
/// by the API and the KPIs. PostgreSQL in a cluster, <see cref="Projections.InMemoryListings"/> in the embedded mode.
/// </summary>
public interface IExceptionProjection
{

    /// <summary>Records matching the query, oldest first (by creation, then id), at most <see cref="ExceptionQuery.Limit"/>.</summary>
    Task<IReadOnlyList<ExceptionRecord>> ListAsync(ExceptionQuery query, CancellationToken cancellationToken = default);

    /// <summary>The open records grouped by cause (kind and root), the largest group first, then the oldest.</summary>
    Task<IReadOnlyList<ExceptionGroup>> GroupsAsync(CancellationToken cancellationToken = default);
}
