using System.Diagnostics;
using Retail.Contracts.Erp;

namespace Retail.Messaging.Diagnostics;

/// <summary>Traces for publishing and processing, with W3C trace context carried in application properties.</summary>
public static class MessagingDiagnostics
{
    /// <summary>The name of the <see cref="ActivitySource"/> to listen to.</summary>
    public const string ActivitySourceName = "Retail.Messaging";

    internal static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Starts the producer activity and returns the message with trace context and correlation id in its application properties.</summary>
    internal static (Activity? Activity, TransportMessage Message) StartPublish(string entity, string system, TransportMessage message)
    {
        var activity = Source.StartActivity($"{entity} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", system);
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", entity);
        activity?.SetTag("messaging.message.id", message.MessageId);
        if (message.SessionId is not null)
        {
            activity?.SetTag("messaging.message.conversation_id", message.SessionId);
        }

        var properties = new Dictionary<string, string>(message.ApplicationProperties, StringComparer.Ordinal);
        var context = activity ?? Activity.Current;
        if (context is not null)
        {
            properties.Remove(MessageProperties.TraceParent);
            properties.Remove(MessageProperties.TraceState);
            DistributedContextPropagator.Current.Inject(context, properties, static (carrier, name, value) =>
            {
                if (carrier is Dictionary<string, string> dictionary && (name == MessageProperties.TraceParent || name == MessageProperties.TraceState))
                {
                    dictionary[name] = value;
                }
            });
        }

        var correlationId = message.CorrelationId ?? properties.GetValueOrDefault(MessageProperties.CorrelationId);
        if (correlationId is not null)
        {
            properties[MessageProperties.CorrelationId] = correlationId;
            activity?.SetTag("retail.correlation_id", correlationId);
        }

        return (activity, message with { ApplicationProperties = properties, CorrelationId = correlationId });
    }

    /// <summary>Starts the consumer activity as a child of the trace context the message carries.</summary>
    internal static Activity? StartProcess(string entity, string system, ReceivedMessage received)
    {
        var properties = received.Message.ApplicationProperties;
        DistributedContextPropagator.Current.ExtractTraceIdAndState(properties, static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
        {
            values = null;
            value = carrier is IReadOnlyDictionary<string, string> dictionary ? dictionary.GetValueOrDefault(name) : null;
        }, out var traceParent, out var traceState);

        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        var activity = Source.StartActivity($"{entity} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", system);
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.name", entity);
        activity?.SetTag("messaging.message.id", received.Message.MessageId);
        activity?.SetTag("messaging.message.delivery_count", received.DeliveryCount);
        var correlationId = received.Message.CorrelationId ?? properties.GetValueOrDefault(MessageProperties.CorrelationId);
        if (correlationId is not null)
        {
            activity?.SetTag("retail.correlation_id", correlationId);
        }

        return activity;
    }
}
