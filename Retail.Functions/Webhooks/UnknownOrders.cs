using Microsoft.Extensions.Options;
using Retail.Contracts;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Integration;

namespace Retail.Functions.Webhooks;

/// <summary>
/// What a webhook does about an order it cannot find, and about a valid event that the order's state refused. Nothing
/// is dropped silently: an exception record is raised (idempotent per kind and key; repeats count attempts).
/// An unknown order is answered 503 during <see cref="WebhookOptions.UnknownOrderRetryPeriod"/> from the record's
/// creation, so the sender retries while the order may still be on its way (a payment often outruns its order); after
/// that it is acknowledged with 200 and left to the open record.
/// </summary>
internal sealed partial class UnknownOrders(
    IGrainFactory grains, IOptionsMonitor<WebhookOptions> options, TimeProvider time, ILogger<UnknownOrders> logger)
{
    public async Task<WebhookResult> HandleAsync(string source, string reference, string detail)
    {
        var businessKey = $"{source}/{reference}";
        var record = await grains.RaiseExceptionAsync(new ExceptionToRaise
        {
            Kind = ExceptionKinds.UnknownOrder,
            BusinessKey = businessKey,
            Reason = detail,
        });
        LogUnknownOrder(logger, source, reference, record.Id);
        if (time.GetUtcNow() - record.CreatedAt < options.CurrentValue.UnknownOrderRetryPeriod)
        {
            return WebhookResult.Problem(503, ProblemCodes.OrderNotFound, "The order is not known yet; retry later.", detail)
                with { RetryAfter = TimeSpan.FromMinutes(1) };
        }
        return new WebhookResult
        {
            Status = WebhookStatuses.UnknownOrder,
            Outcome = $"Order unknown; exception {record.Id} stays open. {detail}",
        };
    }

    /// <summary>Closes the unknown-order record of an event that found its order on a later attempt.</summary>
    public Task ResolveAsync(string source, string reference) =>
        grains.ResolveExceptionAsync(ExceptionKinds.UnknownOrder, $"{source}/{reference}", "The order arrived; the event was applied.");

    /// <summary>A valid event the order refused (e.g. a cancellation after shipment): acknowledged, and recorded for a person.</summary>
    public async Task<WebhookResult> RejectedAsync(string orderId, string detail)
    {
        var record = await grains.RaiseExceptionAsync(new ExceptionToRaise
        {
            Kind = IntegrationExceptionKinds.WebhookRejected,
            BusinessKey = orderId,
            Reason = detail,
        });
        LogRejected(logger, orderId, detail);
        return new WebhookResult
        {
            Status = WebhookStatuses.Rejected,
            Outcome = $"Refused by the order ({detail}); exception {record.Id} raised.",
            OrderId = orderId,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook from {Source} refers to unknown order {Reference}; exception {ExceptionId}")]
    private static partial void LogUnknownOrder(ILogger logger, string source, string reference, string exceptionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} refused a webhook: {Detail}")]
    private static partial void LogRejected(ILogger logger, string orderId, string detail);
}
