using Retail.Contracts.Exceptions;

namespace Retail.Contracts.Projections;

/// <summary>
/// The listings in process memory, for the embedded mode (one process hosts the silo and the API): the in-memory grain
/// storage writes the rows a state declares once the state is stored. The exception and return listings are kept here;
/// without PostgreSQL the order list is the order directory's.
/// </summary>
public sealed class InMemoryListings : IExceptionProjection
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ExceptionRecord> _records = new(StringComparer.Ordinal);
    private readonly Dictionary<(string OrderId, string ReturnId), ReturnListing> _returns = [];

    /// <summary>Inserts or replaces the exception and return rows among <paramref name="rows"/> (by their key).</summary>
    public void Write(IReadOnlyList<IListingRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        lock (_lock)
        {
            foreach (var row in rows)
            {
                switch (row)
                {
                    case ExceptionListing exception:
                        _records[exception.Record.Id] = exception.Record;
                        break;
                    case ReturnListing returned:
                        _returns[(returned.OrderId, returned.ReturnId)] = returned;
                        break;
                }
            }
        }
    }

    /// <summary>The returns authorised at or after <paramref name="since"/>, oldest first.</summary>
    public IReadOnlyList<ReturnListing> ReturnsAuthorizedSince(DateTimeOffset since)
    {
        lock (_lock)
        {
            return [.. _returns.Values.Where(r => r.AuthorizedAt >= since).OrderBy(r => r.AuthorizedAt).ThenBy(r => r.ReturnId, StringComparer.Ordinal)];
        }
    }

    public Task<IReadOnlyList<ExceptionRecord>> ListAsync(ExceptionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            IEnumerable<ExceptionRecord> matching = _records.Values
                .Where(r => query.Status is null || r.Status == query.Status)
                .Where(r => query.Kind is null || r.Kind == query.Kind)
                .Where(r => query.Root is null || r.Root == query.Root)
                .Where(r => query.CreatedFrom is null || r.CreatedAt >= query.CreatedFrom)
                .OrderBy(r => r.CreatedAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal);
            if (query.After is { } after && _records.TryGetValue(after, out var cursor))
            {
                matching = matching.Where(r => r.CreatedAt > cursor.CreatedAt
                    || (r.CreatedAt == cursor.CreatedAt && string.CompareOrdinal(r.Id, cursor.Id) > 0));
            }
            IReadOnlyList<ExceptionRecord> page = [.. matching.Take(query.Limit)];
            return Task.FromResult(page);
        }
    }

    public Task<IReadOnlyList<ExceptionGroup>> GroupsAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            IReadOnlyList<ExceptionGroup> groups = [.. _records.Values
                .Where(r => r.Status == ExceptionStatus.Open)
                .GroupBy(r => (r.Kind, r.Root))
                .Select(g => new ExceptionGroup
                {
                    Kind = g.Key.Kind,
                    Root = g.Key.Root,
                    Count = g.Count(),
                    OldestCreatedAt = g.Min(r => r.CreatedAt),
                    NewestCreatedAt = g.Max(r => r.CreatedAt),
                })
                .OrderByDescending(g => g.Count)
                .ThenBy(g => g.OldestCreatedAt)
                .ThenBy(g => g.Kind, StringComparer.Ordinal)
                .ThenBy(g => g.Root, StringComparer.Ordinal)];
            return Task.FromResult(groups);
        }
    }
}
