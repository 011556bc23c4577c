using Microsoft.Extensions.Options;
using Retail.Contracts.Integration;
using Retail.Functions.Dedupe;

namespace Retail.Functions.Webhooks;

/// <summary>
/// Runs a delivery's work at most once, on the dedupe-lease protocol (<see cref="DedupeLeases"/>): a duplicate answers
/// the first outcome; a concurrent delivery waits for the first to finish (and takes over if it
/// failed). Only a final success is recorded; anything else releases the lease so that the sender's retry runs again.
/// </summary>
internal sealed partial class DeliveryGate(
    DedupeLeases leases, IOptionsMonitor<WebhookOptions> options, TimeProvider time, ILogger<DeliveryGate> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>The work; its first argument is true when an earlier attempt of this delivery raised an unknown-order record.</summary>
    public delegate Task<WebhookResult> Work(bool unknownOrderRaised, CancellationToken cancellationToken);

    public async Task<WebhookResult> RunAsync(string source, string deliveryId, Work work, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var giveUpAt = time.GetUtcNow() + settings.ConcurrentDeliveryWait;
        DedupeLease lease;
        while (true)
        {
            lease = await leases.TryBeginAsync(source, deliveryId, settings.ProcessingLease);
            var claim = lease.Claim;
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
            result = await work(lease.Claim.UnknownOrderRaised, cancellationToken);
            if (result.RaisedUnknownOrder)
            {
                await lease.NoteUnknownOrderAsync();
            }
        }
        catch
        {
            await lease.ReleaseAsync();
            throw;
        }
        if (result.IsSuccess && result.Final)
        {
            await lease.CompleteAsync(result.Outcome ?? result.Status, result.OrderId);
        }
        else
        {
            await lease.ReleaseAsync();
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Duplicate delivery {DeliveryId} from {Source} acknowledged")]
    private static partial void LogDuplicate(ILogger logger, string source, string deliveryId);
}
