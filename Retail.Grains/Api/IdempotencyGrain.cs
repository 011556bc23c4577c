using Microsoft.Extensions.DependencyInjection;
using Retail.Contracts.Api;

namespace Retail.Grains.Api;

[GenerateSerializer, Alias("Retail.Api.IdempotencyState")]
internal sealed class IdempotencyState
{
    [Id(0)] public string? Fingerprint { get; set; }
    [Id(1)] public DateTimeOffset ClaimedAt { get; set; }
    [Id(2)] public StoredResponse? Response { get; set; }
    [Id(3)] public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>
/// Remembers one Idempotency-Key: the request it was first used for and that request's answer. A completed key is
/// kept for <see cref="Retention"/>; a claim whose request never completed (the process died) lapses after
/// <see cref="ClaimLease"/>, so a retry can execute it.
/// </summary>
internal sealed class IdempotencyGrain(
    [PersistentState("idempotency", StorageNames.Operations)] IPersistentState<IdempotencyState> state) : Grain, IIdempotencyGrain
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    private TimeProvider Clock => ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;

    public async Task<IdempotencyClaim> ClaimAsync(string fingerprint)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        var now = Clock.GetUtcNow();
        var current = state.State;
        if (current.Fingerprint is not null && !HasLapsed(current, now))
        {
            if (!string.Equals(current.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                return new IdempotencyClaim { Outcome = IdempotencyOutcome.Conflict };
            }
            return current.Response is { } response
                ? new IdempotencyClaim { Outcome = IdempotencyOutcome.Completed, Response = response }
                : new IdempotencyClaim { Outcome = IdempotencyOutcome.InProgress };
        }

        state.State = new IdempotencyState { Fingerprint = fingerprint, ClaimedAt = now };
        await state.WriteStateAsync();
        return new IdempotencyClaim { Outcome = IdempotencyOutcome.Claimed };
    }

    public async Task CompleteAsync(string fingerprint, StoredResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        EnsureClaimedBy(fingerprint);
        if (state.State.Response is not null)
        {
            return;
        }
        state.State.Response = response;
        state.State.CompletedAt = Clock.GetUtcNow();
        await state.WriteStateAsync();
    }

    public async Task ReleaseAsync(string fingerprint)
    {
        if (state.State.Fingerprint is null || state.State.Response is not null
            || !string.Equals(state.State.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            return;
        }
        await state.ClearStateAsync();
        state.State = new IdempotencyState();
    }

    private static bool HasLapsed(IdempotencyState current, DateTimeOffset now) =>
        current.CompletedAt is { } completedAt ? now - completedAt > Retention : now - current.ClaimedAt > ClaimLease;

    private void EnsureClaimedBy(string fingerprint)
    {
        if (!string.Equals(state.State.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The Idempotency-Key is not claimed by this request.");
        }
    }
}
