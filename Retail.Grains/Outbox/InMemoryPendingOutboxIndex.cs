using System.Collections.Concurrent;
using Retail.Contracts.Outbox;

namespace Retail.Grains.Outbox;

/// <summary>
/// The relay's index for in-memory grain storage (embedded mode, tests): which grain's latest write holds undelivered
/// effects. It lives as long as the storage it describes, the silo's process.
/// </summary>
public sealed class InMemoryPendingOutboxIndex : IPendingOutboxIndex
{
    private readonly ConcurrentDictionary<GrainId, string?> _pending = new();

    public void Written(GrainId grainId, string? etag, bool pending)
    {
        if (pending)
        {
            _pending[grainId] = etag;
        }
        else
        {
            _pending.TryRemove(grainId, out _);
        }
    }

    public Task MarkDeliveredAsync(GrainId grainId, string etag)
    {
        _pending.TryRemove(new KeyValuePair<GrainId, string?>(grainId, etag));
        return Task.CompletedTask;
    }

    public Task<bool> IsPendingAsync(GrainId grainId, string etag) =>
        Task.FromResult(_pending.TryGetValue(grainId, out var pending) && pending == etag);

    public Task<IReadOnlyList<GrainId>> ListPendingAsync(int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<GrainId>>(_pending.Keys.Take(limit).ToList());
}
