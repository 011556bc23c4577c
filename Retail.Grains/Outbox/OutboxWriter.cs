using System.Diagnostics;
using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;

namespace Retail.Grains.Outbox;

/// <summary>Appends effects (events, ERP messages, exception raises and resolves, notices) to an outbox with deterministic ids and a per-subject sequence.</summary>
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

    /// <summary>Adds an exception raise for the exception records; its id is <c>{subject}:exception:{sequence}</c>.</summary>
    public static void AddExceptionRaise(this OutboxState outbox, string subject, ExceptionToRaise raise, DateTimeOffset now) =>
        outbox.AddEffect(OutboxDestinations.Exceptions, subject, "ExceptionRaised", new ExceptionEffect { Raise = raise }, now);

    /// <summary>Adds the resolve of the open exception record of <paramref name="kind"/> and <paramref name="businessKey"/>.</summary>
    public static void AddExceptionResolve(this OutboxState outbox, string subject, string kind, string businessKey, string resolution, DateTimeOffset now) =>
        outbox.AddEffect(OutboxDestinations.Exceptions, subject, "ExceptionResolved",
            new ExceptionEffect { ResolveKind = kind, ResolveBusinessKey = businessKey, Resolution = resolution }, now);

    /// <summary>Adds the notice to order <paramref name="orderId"/> that <paramref name="subject"/> released some of its reservations.</summary>
    public static void AddReleasedReservations(this OutboxState outbox, string subject, string orderId, ReservationsReleased released, DateTimeOffset now) =>
        outbox.AddEffect(OutboxDestinations.ReleasedReservations, subject, "ReservationsReleased", released, now, sessionId: orderId);

    /// <summary>Adds the notice to order <paramref name="orderId"/> that <paramref name="subject"/> changed some of its promises.</summary>
    public static void AddPromisesChanged(this OutboxState outbox, string subject, string orderId, PromisesChanged changed, DateTimeOffset now) =>
        outbox.AddEffect(OutboxDestinations.PromisesChanged, subject, "PromisesChanged", changed, now, sessionId: orderId);

    /// <summary>Adds the order's latest summary for the order directory.</summary>
    public static void AddDirectoryRecord(this OutboxState outbox, string orderId, OrderSummary summary, DateTimeOffset now) =>
        outbox.AddEffect(OutboxDestinations.OrderDirectory, orderId, "OrderSummary", summary, now);

    private static void AddEffect(this OutboxState outbox, string destination, string subject, string type, object body, DateTimeOffset now, string? sessionId = null)
    {
        var sequence = ++outbox.Sequence;
        outbox.Pending.Add(new OutboxMessage
        {
            MessageId = $"{subject}:{type}:{sequence}",
            Entity = destination,
            SessionId = sessionId ?? subject,
            Type = type,
            Body = JsonSerializer.Serialize(body, body.GetType(), RetailJson.Options),
            CorrelationId = CurrentCorrelationId(),
            TraceParent = Activity.Current?.Id,
            CreatedAt = now,
        });
    }

    /// <summary>Adds a message for any entity (used to re-submit a dead-lettered message).</summary>
    public static void AddRaw(this OutboxState outbox, OutboxMessage message) => outbox.Pending.Add(message);

    public static string? CurrentCorrelationId() => RequestContext.Get(RetailRequestContext.CorrelationIdKey) as string;
}
