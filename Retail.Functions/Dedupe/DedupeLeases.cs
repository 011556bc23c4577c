using Retail.Contracts.Integration;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Dedupe;

/// <summary>
/// The dedupe-lease protocol of every inbound channel (webhook deliveries, ERP messages) over the durable dedupe grain
/// of the delivery (<see cref="IInboundDedupeGrain"/>, key <c>{source}/{id}</c>): one lease at a time; the holder
/// processes the delivery, then completes it (recording its outcome, which later duplicates answer) or releases it so
/// that a redelivery runs again. A release that fails is only logged: the lease lapses on its own.
/// </summary>
internal sealed partial class DedupeLeases(IGrainFactory grains, ILogger<DedupeLeases> logger)
{
    /// <summary>Asks for the lease of <paramref name="id"/> from <paramref name="source"/> for <paramref name="duration"/>.</summary>
    public async Task<DedupeLease> TryBeginAsync(string source, string id, TimeSpan duration)
    {
        var grain = grains.GetGrain<IInboundDedupeGrain>(InboundDedupeKey.For(source, id));
        var leaseId = Guid.NewGuid().ToString("N");
        var claim = await grain.TryBeginAsync(leaseId, duration);
        return new DedupeLease(this, grain, leaseId, source, id, claim);
    }

    internal async Task ReleaseQuietlyAsync(IInboundDedupeGrain grain, string leaseId, string source, string id)
    {
        try
        {
            await grain.ReleaseAsync(leaseId);
        }
        catch (Exception exception) when (TransientFailures.IsTransient(exception))
        {
            LogReleaseFailed(logger, exception, source, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the dedupe lease of {Id} from {Source}; it lapses on its own")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string source, string id);
}

/// <summary>One attempt at a delivery's lease: <see cref="Claim"/> says whether it was granted or how the delivery stands.</summary>
internal sealed class DedupeLease(DedupeLeases leases, IInboundDedupeGrain grain, string leaseId, string source, string id, DeliveryClaim claim)
{
    public DeliveryClaim Claim { get; } = claim;

    /// <summary>Records the delivery as processed with its outcome (and order, answered to duplicates); drops the lease.</summary>
    public Task CompleteAsync(string outcome, string? orderId) => grain.CompleteAsync(leaseId, outcome, orderId);

    /// <summary>Records that this attempt raised an unknown-order record, for the attempts after it.</summary>
    public Task NoteUnknownOrderAsync() => grain.NoteUnknownOrderAsync(leaseId);

    /// <summary>Drops the lease without completing, so that a redelivery runs again.</summary>
    public Task ReleaseAsync() => leases.ReleaseQuietlyAsync(grain, leaseId, source, id);
}
