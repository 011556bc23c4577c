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
}
