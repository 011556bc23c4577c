using Retail.Contracts.Api;

namespace Retail.Api.Idempotency;

/// <summary>Durable Idempotency-Key records, per client. A request is identified by its fingerprint.</summary>
public interface IIdempotencyStore
{
    Task<IdempotencyClaim> ClaimAsync(string clientId, string key, string fingerprint);

    Task CompleteAsync(string clientId, string key, string fingerprint, StoredResponse response);

    Task ReleaseAsync(string clientId, string key, string fingerprint);
}

/// <summary>Keeps each key in its own <see cref="IIdempotencyGrain"/>, persisted with the operations state.</summary>
internal sealed class GrainIdempotencyStore(IClusterClient cluster) : IIdempotencyStore
{
    public Task<IdempotencyClaim> ClaimAsync(string clientId, string key, string fingerprint) =>
        Grain(clientId, key).ClaimAsync(fingerprint);

    public Task CompleteAsync(string clientId, string key, string fingerprint, StoredResponse response) =>
        Grain(clientId, key).CompleteAsync(fingerprint, response);

    public Task ReleaseAsync(string clientId, string key, string fingerprint) =>
        Grain(clientId, key).ReleaseAsync(fingerprint);

    private IIdempotencyGrain Grain(string clientId, string key) =>
        cluster.GetGrain<IIdempotencyGrain>(IdempotencyGrainKey.For(clientId, key));
}
