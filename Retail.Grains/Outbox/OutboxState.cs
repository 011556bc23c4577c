using Retail.Contracts.Outbox;

namespace Retail.Grains.Outbox;

/// <summary>
/// The effects a grain's changes raised and the relay has not yet delivered. It is part of the grain's own state, so a
/// change and its effects are written together: nothing is lost between them.
/// </summary>
[GenerateSerializer, Alias("Retail.OutboxState")]
public sealed class OutboxState
{
    /// <summary>The last sequence number given to a message of this grain's subject.</summary>
    [Id(0)] public long Sequence { get; set; }

    /// <summary>Undelivered effects, oldest first; delivered in this order per destination.</summary>
    [Id(1)] public List<OutboxMessage> Pending { get; set; } = [];
}

/// <summary>One effect waiting in a grain's outbox.</summary>
[GenerateSerializer, Alias("Retail.OutboxMessage")]
public sealed record OutboxMessage
{
    /// <summary>Deterministic: the same change always yields the same id, so a resend is recognisable.</summary>
    [Id(0)] public string MessageId { get; init; } = "";
    /// <summary>The destination: a broker entity, or one of <see cref="OutboxDestinations"/>.</summary>
    [Id(1)] public string Entity { get; init; } = "";
    [Id(2)] public string? SessionId { get; init; }
    /// <summary>The event type or ERP message type.</summary>
    [Id(3)] public string Type { get; init; } = "";
    [Id(4)] public string Body { get; init; } = "";
    [Id(5)] public string? CorrelationId { get; init; }
    [Id(6)] public string? TraceParent { get; init; }
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Grain state that carries an outbox; grain storage flags a write that holds undelivered effects.</summary>
public interface IHasOutbox : IPendingEffects
{
    OutboxState Outbox { get; }

    bool IPendingEffects.HasPendingEffects => Outbox.Pending.Count > 0;
}
