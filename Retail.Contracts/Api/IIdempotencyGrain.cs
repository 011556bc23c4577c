using System.Security.Cryptography;
using System.Text;

namespace Retail.Contracts.Api;

/// <summary>What an attempt to claim an Idempotency-Key found.</summary>
public enum IdempotencyOutcome
{
    /// <summary>The key is new (or its earlier record expired): the caller executes the request and completes the key.</summary>
    Claimed,
    /// <summary>The same request completed before: answer <see cref="IdempotencyClaim.Response"/> without executing it.</summary>
    Completed,
    /// <summary>The same request is executing right now under this key.</summary>
    InProgress,
    /// <summary>The key was used for a different request.</summary>
    Conflict,
}

/// <summary>The answer to a claim; <see cref="Response"/> is set when <see cref="Outcome"/> is <see cref="IdempotencyOutcome.Completed"/>.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Api.IdempotencyClaim")]
public sealed record IdempotencyClaim
{
    [Id(0)] public IdempotencyOutcome Outcome { get; init; }
    [Id(1)] public StoredResponse? Response { get; init; }
}

/// <summary>The first answer given under an Idempotency-Key, replayed for every repeat.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Api.StoredResponse")]
public sealed record StoredResponse
{
    [Id(0)] public int StatusCode { get; init; }
    [Id(1)] public string? ContentType { get; init; }
    [Id(2)] public string? Location { get; init; }
    [Id(3)] public byte[] Body { get; init; } = [];
}

/// <summary>Builds the key of an <see cref="IIdempotencyGrain"/> in one place: one grain per client and Idempotency-Key.</summary>
public static class IdempotencyGrainKey
{
    /// <summary>A fixed-length key (SHA-256 hex), whatever characters the client id and the header hold.</summary>
    public static string For(string clientId, string idempotencyKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{clientId}\n{idempotencyKey}")));
}

/// <summary>
/// One client's Idempotency-Key (key: <see cref="IdempotencyGrainKey.For"/>), stored durably. A request is identified by
/// its fingerprint (method, path and body); the key remembers the first request's answer for a retention period.
/// </summary>
[Alias("Retail.Api.IIdempotencyGrain")]
public interface IIdempotencyGrain : IGrainWithStringKey
{
    /// <summary>Claims the key for the request with <paramref name="fingerprint"/>, or tells what an earlier claim left.</summary>
    [Alias("Claim")]
    Task<IdempotencyClaim> ClaimAsync(string fingerprint);

    /// <summary>Stores the answer of the claimed request; repeats will be answered with it.</summary>
    [Alias("Complete")]
    Task CompleteAsync(string fingerprint, StoredResponse response);

    /// <summary>Gives the key up after the claimed request failed without an answer worth replaying, so that a retry executes it.</summary>
    [Alias("Release")]
    Task ReleaseAsync(string fingerprint);
}
