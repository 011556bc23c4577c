using System.Diagnostics;
using Retail.Grains.Outbox;

namespace Retail.Grains.Telemetry;

/// <summary>
/// An outbox activation's share of <c>retail.outbox.backlog</c>, and the span of one delivery, continuing the trace
/// of the change that wrote the message (its stored traceparent), so that the publish joins the business flow.
/// </summary>
internal sealed class OutboxTelemetry
{
    private int _reported;

    /// <summary>Reports the activation's undelivered count now (0 on deactivation: the next activation reports them).</summary>
    public void Backlog(int undelivered)
    {
        RetailMetrics.OutboxBacklogChanged(undelivered - _reported);
        _reported = undelivered;
    }

    public static Activity? StartDelivery(OutboxMessage message)
    {
        ActivityContext.TryParse(message.TraceParent, null, isRemote: false, out var parent);
        var activity = parent == default
            ? RetailMetrics.Source.StartActivity("outbox deliver", ActivityKind.Internal)
            : RetailMetrics.Source.StartActivity("outbox deliver", ActivityKind.Internal, parent);
        activity?.SetTag("messaging.destination.name", message.Entity);
        activity?.SetTag("messaging.message.id", message.MessageId);
        if (message.CorrelationId is not null)
        {
            activity?.SetTag("retail.correlation_id", message.CorrelationId);
        }
        return activity;
    }
}
