using Retail.Contracts.Integration;

namespace Retail.Grains.Integration;

/// <summary>
/// One grain per delivery. The lease is in memory on purpose: if the silo dies, the activation (and the lease) goes
/// with it and the sender's retry processes the delivery again, which is what must happen to work that never completed.
/// </summary>
internal sealed class InboundDedupeGrain(
    [PersistentState("dedupe", StorageNames.Operations)] IPersistentState<InboundDedupeState> state,
    TimeProvider time) : Grain, IInboundDedupeGrain
{
    private static readonly TimeSpan MaxLease = TimeSpan.FromMinutes(30);
    private string? leaseId;
    private DateTimeOffset leaseExpiresAt;
    private int leasesAcquired;

    public Task<DeliveryClaim> TryBeginAsync(string leaseId, TimeSpan leaseDuration)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        if (leaseDuration <= TimeSpan.Zero || leaseDuration > MaxLease)
        {
            throw new ArgumentOutOfRangeException(nameof(leaseDuration), leaseDuration, $"Must be positive and at most {MaxLease}.");
        }
        if (state.State.CompletedAt is not null)
        {
            return Task.FromResult(Current(acquired: false));
        }
        var now = time.GetUtcNow();
        if (this.leaseId is not null && this.leaseId != leaseId && now < leaseExpiresAt)
        {
            return Task.FromResult(Current(acquired: false));
        }
        var earlierAttempts = this.leaseId == leaseId ? leasesAcquired - 1 : leasesAcquired++;
        this.leaseId = leaseId;
        leaseExpiresAt = now + leaseDuration;
        return Task.FromResult(Current(acquired: true) with { EarlierAttempts = earlierAttempts });
    }

    public async Task CompleteAsync(string leaseId, string outcome, string? orderId)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseId);
        if (state.State.CompletedAt is not null)
        {
            return;
        }
        state.State.CompletedAt = time.GetUtcNow();
        state.State.Outcome = outcome;
        state.State.OrderId = orderId;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.CompletedAt = null;
            state.State.Outcome = null;
            state.State.OrderId = null;
            throw;
        }
        this.leaseId = null;
    }

    public Task ReleaseAsync(string leaseId)
    {
        if (this.leaseId == leaseId)
        {
            this.leaseId = null;
        }
        return Task.CompletedTask;
    }

    public Task<DeliveryClaim> GetAsync() => Task.FromResult(Current(acquired: false));

    private DeliveryClaim Current(bool acquired) => new()
    {
        Acquired = acquired,
        Status = state.State.CompletedAt is not null ? DeliveryStatus.Completed
            : leaseId is not null && time.GetUtcNow() < leaseExpiresAt ? DeliveryStatus.InProgress
            : DeliveryStatus.Unseen,
        CompletedAt = state.State.CompletedAt,
        Outcome = state.State.Outcome,
        OrderId = state.State.OrderId,
    };
}
