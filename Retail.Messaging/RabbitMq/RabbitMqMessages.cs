using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace Retail.Messaging.RabbitMq;

/// <summary>How a <see cref="TransportMessage"/> maps onto AMQP 0-9-1 properties and headers.</summary>
internal static class RabbitMqMessages
{
    private const string SessionHeader = "x-retail-session-id";
    private const string DeliveryCountHeader = "x-delivery-count";
    private const string DeathHeader = "x-death";

    public static BasicProperties ToProperties(TransportMessage message, IReadOnlyDictionary<string, string>? extra = null)
    {
        var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in message.ApplicationProperties)
        {
            headers[name] = value;
        }

        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            headers[name] = value;
        }

        if (message.SessionId is not null)
        {
            headers[SessionHeader] = message.SessionId;
        }

        return new BasicProperties
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            Type = message.Subject,
            ContentType = message.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            Headers = headers,
        };
    }

    /// <summary>The message, and how many times it has been delivered (1 the first time; the quorum queue counts returns).</summary>
    public static (TransportMessage Message, int DeliveryCount) FromDelivery(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, bool deadLetterQueue)
    {
        var applicationProperties = new Dictionary<string, string>(StringComparer.Ordinal);
        string? sessionId = null;
        var deliveryCount = 1;
        string? brokerReason = null;
        foreach (var (name, value) in properties.Headers ?? new Dictionary<string, object?>())
        {
            switch (name)
            {
                case SessionHeader:
                    sessionId = AsString(value);
                    break;
                case DeliveryCountHeader:
                    deliveryCount = Convert.ToInt32(value, CultureInfo.InvariantCulture) + 1;
                    break;
                case DeathHeader:
                    brokerReason = FirstDeathReason(value);
                    break;
                default:
                    if (!name.StartsWith("x-", StringComparison.Ordinal) && AsString(value) is { } text)
                    {
                        applicationProperties[name] = text;
                    }

                    break;
            }
        }

        if (deadLetterQueue && brokerReason is not null && !applicationProperties.ContainsKey(DeadLetter.ReasonProperty))
        {
            (applicationProperties[DeadLetter.ReasonProperty], applicationProperties[DeadLetter.DescriptionProperty]) = brokerReason == "delivery_limit"
                ? (DeadLetter.MaxDeliveryCountExceeded, "The broker dead-lettered the message when it reached the queue's delivery limit.")
                : ("Broker:" + brokerReason, $"The broker dead-lettered the message ({brokerReason}).");
        }

        var message = new TransportMessage
        {
            MessageId = properties.MessageId ?? throw new InvalidOperationException("A message without a message id arrived."),
            CorrelationId = properties.CorrelationId,
            SessionId = sessionId,
            Subject = properties.Type,
            ContentType = properties.ContentType ?? "application/octet-stream",
            ApplicationProperties = applicationProperties,
            Body = body.ToArray(),
        };
        return (message, deliveryCount);
    }

    private static string? FirstDeathReason(object? deaths) =>
        deaths is IList<object?> { Count: > 0 } list && list[0] is IDictionary<string, object?> death && death.TryGetValue("reason", out var reason)
            ? AsString(reason)
            : "unknown";

    private static string? AsString(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        null => null,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
