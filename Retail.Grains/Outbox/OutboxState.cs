namespace Retail.Grains.Outbox;

/// <summary>
/// The messages a grain raised and has not yet handed to the broker. It is part of the grain's own state, so a
/// change and the events it raises are written together: nothing is lost between them.
/// </summary>
[GenerateSerializer, Alias("Retail.OutboxState")]
public sealed class OutboxState
{
    /// <summary>The last sequence number given to a message of this grain's subject.</summary>
    [Id(0)] public long Sequence { get; set; }

    /// <summary>Undelivered messages, oldest first; delivered in this order.</summary>
    [Id(1)] public List<OutboxMessage> Pending { get; set; } = [];
}

/// <summary>One message waiting in a grain's outbox.</summary>
[GenerateSerializer, Alias("Retail.OutboxMessage")]
public sealed record OutboxMessage
{
    /// <summary>Deterministic: the same change always yields the same id, so a resend is recognisable.</summary>
    [Id(0)] public string MessageId { get; init; } = "";
    [Id(1)] public string Entity { get; init; } = "";
    [Id(2)] public string? SessionId { get; init; }
    /// <summary>The event type or ERP message type.</summary>
    [Id(3)] public string Type { get; init; } = "";
    [Id(4)] public string Body { get; init; } = "";
    [Id(5)] public string? CorrelationId { get; init; }
    [Id(6)] public string? TraceParent { get; init; }
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Grain state that carries an outbox.</summary>
public interface IHasOutbox
{
    OutboxState Outbox { get; }
}
