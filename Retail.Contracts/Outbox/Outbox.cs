using Orleans.Concurrency;

namespace Retail.Contracts.Outbox;

/// <summary>
/// Grain state that may hold effects not yet delivered (events, ERP messages, exception raises, notices to other
/// grains). Grain storage records <see cref="HasPendingEffects"/> with every write of the state, in the same write, so
/// that the silo's outbox relay finds the grain again after a restart.
/// </summary>
public interface IPendingEffects
{
    bool HasPendingEffects { get; }
}

/// <summary>
/// Where the silo's outbox relay finds grains with undelivered effects: rows written with pending effects and not yet
/// marked delivered. PostgreSQL grain storage keeps it in the state row; in-memory storage in process.
/// </summary>
public interface IPendingOutboxIndex
{
    /// <summary>A write of <paramref name="grainId"/>'s state with etag <paramref name="etag"/> completed.</summary>
    void Written(GrainId grainId, string? etag, bool pending);

    /// <summary>Everything the write with <paramref name="etag"/> held was delivered; a later write keeps its own mark.</summary>
    Task MarkDeliveredAsync(GrainId grainId, string etag);

    /// <summary>True when the write with <paramref name="etag"/> still has undelivered effects.</summary>
    Task<bool> IsPendingAsync(GrainId grainId, string etag);

    /// <summary>Up to <paramref name="limit"/> grains whose latest write has undelivered effects.</summary>
    Task<IReadOnlyList<GrainId>> ListPendingAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>A grain with an outbox: the relay wakes it to deliver what it holds (after a restart, or a missed delivery).</summary>
[Alias("Retail.IOutboxGrain")]
public interface IOutboxGrain : IGrainWithStringKey
{
    /// <summary>Starts delivering the grain's outbox in the background; returns at once.</summary>
    [Alias("Drain"), AlwaysInterleave]
    Task DrainAsync();
}

/// <summary>
/// The outbox relays' backlog across the cluster (one grain, key <see cref="Key"/>, off every request's path): each
/// silo reports its effects per destination not yet delivered every few seconds; a silo that stops reporting drops out.
/// </summary>
[Alias("Retail.IOutboxBacklogGrain")]
public interface IOutboxBacklogGrain : IGrainWithStringKey
{
    const string Key = "cluster";

    [Alias("Report")]
    Task ReportAsync(string silo, IReadOnlyDictionary<string, long> backlog);

    /// <summary>Undelivered effects per destination, summed over the silos that reported lately.</summary>
    [Alias("Get"), AlwaysInterleave]
    Task<IReadOnlyDictionary<string, long>> GetAsync();
}
