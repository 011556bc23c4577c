namespace Retail.Contracts.Exceptions;

/// <summary>The exception listing in process memory, for the embedded mode (one process hosts the silo and the API).</summary>
public sealed class InMemoryExceptionProjection : IExceptionProjection
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ExceptionRecord> _records = new(StringComparer.Ordinal);

    public Task WriteAsync(IReadOnlyList<ExceptionRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        lock (_lock)
        {
            foreach (var record in records)
            {
                _records[record.Id] = record;
            }
        }
        return Task.CompletedTask;
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
