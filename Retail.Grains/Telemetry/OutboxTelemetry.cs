using System.Diagnostics;
using Retail.Grains.Outbox;

namespace Retail.Grains.Telemetry;

/// <summary>
/// The span of one outbox delivery, continuing the trace of the change that wrote the effect (its stored traceparent),
/// so that the delivery joins the business flow.
/// </summary>
internal static class OutboxTelemetry
{
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
