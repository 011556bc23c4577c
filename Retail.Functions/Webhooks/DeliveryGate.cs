using Microsoft.Extensions.Options;
using Retail.Contracts.Integration;

namespace Retail.Functions.Webhooks;

/// <summary>
/// Runs a delivery's work at most once: the durable dedupe grain of the delivery grants one lease at a time; a
/// duplicate answers the first outcome; a concurrent delivery waits for the first to finish (and takes over if it
/// failed). Only a final success is recorded; anything else releases the lease so that the sender's retry runs again.
/// </summary>
internal sealed partial class DeliveryGate(
    IGrainFactory grains, IOptionsMonitor<WebhookOptions> options, TimeProvider time, ILogger<DeliveryGate> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The work; its second argument is true when an earlier attempt of this delivery failed.</summary>
    public delegate Task<WebhookResult> Work(bool retried, CancellationToken cancellationToken);

    public async Task<WebhookResult> RunAsync(string source, string deliveryId, Work work, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var grain = grains.GetGrain<IInboundDedupeGrain>(InboundDedupeKey.For(source, deliveryId));
        var leaseId = Guid.NewGuid().ToString("N");
        var giveUpAt = time.GetUtcNow() + settings.ConcurrentDeliveryWait;
        DeliveryClaim claim;
        while (true)
        {
            claim = await grain.TryBeginAsync(leaseId, settings.ProcessingLease);
            if (claim.Acquired)
            {
                break;
            }
            if (claim.Status == DeliveryStatus.Completed)
            {
                LogDuplicate(logger, source, deliveryId);
                return WebhookResult.Duplicate(claim.Outcome, claim.OrderId);
            }
            if (time.GetUtcNow() >= giveUpAt)
            {
                return WebhookResult.Problem(
                    503, WebhookProblemCodes.InProgress, "Another delivery of this event is being processed.",
                    $"Delivery '{deliveryId}' of {source} is in progress; retry later.") with { RetryAfter = TimeSpan.FromSeconds(10) };
            }
            await Task.Delay(PollInterval, time, cancellationToken);
        }

        WebhookResult result;
        try
        {
            result = await work(claim.EarlierAttempts > 0, cancellationToken);
        }
        catch
        {
            await ReleaseQuietlyAsync(grain, leaseId, source, deliveryId);
            throw;
        }
        if (result.IsSuccess && result.Final)
        {
            await grain.CompleteAsync(leaseId, result.Outcome ?? result.Status, result.OrderId);
        }
        else
        {
            await ReleaseQuietlyAsync(grain, leaseId, source, deliveryId);
        }
        return result;
    }

    private async Task ReleaseQuietlyAsync(IInboundDedupeGrain grain, string leaseId, string source, string deliveryId)
    {
        try
        {
            await grain.ReleaseAsync(leaseId);
        }
        catch (Exception exception) when (TransientFailures.IsTransient(exception))
        {
            // The lease lapses on its own after ProcessingLease; the redelivery waits for it at most that long.
            LogReleaseFailed(logger, exception, source, deliveryId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Duplicate delivery {DeliveryId} from {Source} acknowledged")]
    private static partial void LogDuplicate(ILogger logger, string source, string deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the lease of delivery {DeliveryId} from {Source}")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string source, string deliveryId);
}
