using System.Diagnostics;
using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;

namespace Retail.Grains.Outbox;

/// <summary>Appends events and ERP messages to an outbox with deterministic ids and a per-subject sequence.</summary>
internal static class OutboxWriter
{
    /// <summary>Adds a CloudEvent for <paramref name="subject"/>; its id is <c>{subject}:{sequence}</c>.</summary>
    public static RetailEvent AddEvent(this OutboxState outbox, string source, string type, string subject, object data, DateTimeOffset now)
    {
        var sequence = ++outbox.Sequence;
        var correlationId = CurrentCorrelationId();
        var retailEvent = new RetailEvent
        {
            Id = RetailEvent.IdFor(subject, sequence),
            Source = source,
            Type = type,
            Subject = subject,
            Time = now,
            Data = JsonSerializer.SerializeToElement(data, data.GetType(), RetailJson.Options),
            CorrelationId = correlationId,
            Sequence = sequence,
        };
        outbox.Pending.Add(new OutboxMessage
        {
            MessageId = retailEvent.Id,
            Entity = Entities.RetailEvents,
            SessionId = subject,
            Type = type,
            Body = retailEvent.ToJson(),
            CorrelationId = correlationId,
            TraceParent = Activity.Current?.Id,
            CreatedAt = now,
        });
        return retailEvent;
    }

    /// <summary>Adds an ERP message for the ERP's session <paramref name="sessionId"/>; its id is <c>{sessionId}:{messageType}:{sequence}</c>.</summary>
    public static void AddErpMessage(this OutboxState outbox, string messageType, string sessionId, object body, DateTimeOffset now)
    {
        var sequence = ++outbox.Sequence;
        var correlationId = CurrentCorrelationId();
        outbox.Pending.Add(new OutboxMessage
        {
            MessageId = $"{sessionId}:{messageType}:{sequence}",
            Entity = Entities.ErpOutbound,
            SessionId = sessionId,
            Type = messageType,
            Body = JsonSerializer.Serialize(body, body.GetType(), RetailJson.Options),
            CorrelationId = correlationId,
            TraceParent = Activity.Current?.Id,
            CreatedAt = now,
        });
    }

    /// <summary>Adds a message for any entity (used to re-submit a dead-lettered message).</summary>
    public static void AddRaw(this OutboxState outbox, OutboxMessage message) => outbox.Pending.Add(message);

    public static string? CurrentCorrelationId() => RequestContext.Get(RetailRequestContext.CorrelationIdKey) as string;
}
