using Amqp;
using Amqp.Framing;
using Amqp.Types;

namespace Retail.Messaging.Amqp;

/// <summary>Maps <see cref="TransportMessage"/> to AMQP 1.0 sections and back.</summary>
internal static class AmqpMessageMapper
{
    public static readonly Symbol ScheduledEnqueueTime = new("x-opt-scheduled-enqueue-time");

    public static Message ToAmqp(TransportMessage message)
    {
        var amqp = new Message
        {
            Header = new Header { Durable = true },
            Properties = new Properties
            {
                MessageId = message.MessageId,
                CorrelationId = message.CorrelationId,
                GroupId = message.SessionId,
                Subject = message.Subject,
                ContentType = new Symbol(message.ContentType),
            },
            ApplicationProperties = new ApplicationProperties(),
            BodySection = new Data { Binary = message.Body.ToArray() },
        };
        foreach (var (name, value) in message.ApplicationProperties)
        {
            amqp.ApplicationProperties[name] = value;
        }

        if (message.ScheduledEnqueueTime is { } due)
        {
            amqp.MessageAnnotations = new MessageAnnotations();
            amqp.MessageAnnotations[ScheduledEnqueueTime] = due.UtcDateTime;
        }

        return amqp;
    }

    public static TransportMessage FromAmqp(Message amqp)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (amqp.ApplicationProperties is { } applicationProperties)
        {
            foreach (var (key, value) in applicationProperties.Map)
            {
                if (key?.ToString() is { } name && value is not null)
                {
                    properties[name] = ToText(value);
                }
            }
        }

        return new TransportMessage
        {
            MessageId = amqp.Properties?.MessageId ?? "",
            CorrelationId = amqp.Properties?.CorrelationId,
            SessionId = amqp.Properties?.GroupId,
            Subject = amqp.Properties?.Subject,
            ContentType = amqp.Properties?.ContentType is { } contentType ? contentType.ToString() : "application/octet-stream",
            ApplicationProperties = properties,
            Body = BodyOf(amqp),
            ScheduledEnqueueTime = amqp.MessageAnnotations?[ScheduledEnqueueTime] is DateTime due ? new DateTimeOffset(due.ToUniversalTime()) : null,
        };
    }

    public static string ToText(object value) => value switch
    {
        string text => text,
        DateTime time => new DateTimeOffset(time.ToUniversalTime()).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static ReadOnlyMemory<byte> BodyOf(Message amqp) => amqp.BodySection switch
    {
        Data data => data.Binary,
        DataList list => Enumerable.Range(0, list.Count).SelectMany(index => list[index].Binary).ToArray(),
        AmqpValue { Value: byte[] bytes } => bytes,
        AmqpValue { Value: string text } => System.Text.Encoding.UTF8.GetBytes(text),
        null => ReadOnlyMemory<byte>.Empty,
        var other => throw new InvalidOperationException($"Unsupported AMQP body section {other.GetType().Name}."),
    };
}
