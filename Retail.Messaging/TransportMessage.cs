namespace Retail.Messaging;

/// <summary>A message as every transport sends and receives it, whatever the broker.</summary>
public sealed record TransportMessage
{
    /// <summary>Unique per message; brokers and consumers dedupe on it.</summary>
    public required string MessageId { get; init; }
    public string? CorrelationId { get; init; }
    /// <summary>Messages of one session are handled in order, one at a time (AMQP group-id).</summary>
    public string? SessionId { get; init; }
    /// <summary>The message's type or subject (AMQP subject).</summary>
    public string? Subject { get; init; }
    public string ContentType { get; init; } = "application/json";
    public IReadOnlyDictionary<string, string> ApplicationProperties { get; init; } = new Dictionary<string, string>();
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The key that keeps messages in order: the session id, or the message id for a message without one.</summary>
    internal string OrderingKey => SessionId ?? MessageId;
}

/// <summary>Sends messages to a queue, topic or event stream; completes only once the broker accepted the message.</summary>
public interface IMessagePublisher
{
    Task PublishAsync(string entity, TransportMessage message, CancellationToken cancellationToken = default);
}

/// <summary>A message handed to a handler, with how many times it has been delivered (1 on first delivery).</summary>
public sealed record ReceivedMessage(string Entity, TransportMessage Message, int DeliveryCount);

/// <summary>What a handler decided about a message.</summary>
public abstract record MessageOutcome
{
    /// <summary>Done: remove the message.</summary>
    public static MessageOutcome Complete { get; } = new Completed();

    /// <summary>Transient failure: deliver again later (dead-lettered after the entity's max deliveries).</summary>
    public static MessageOutcome Abandon { get; } = new Abandoned();

    /// <summary>Poison: move to the dead-letter queue now, with the reason.</summary>
    public static MessageOutcome DeadLetter(string reason, string description) => new DeadLettered(reason, description);

    public sealed record Completed : MessageOutcome;

    public sealed record Abandoned : MessageOutcome;

    public sealed record DeadLettered(string Reason, string Description) : MessageOutcome;
}

public delegate Task<MessageOutcome> MessageHandler(ReceivedMessage message, CancellationToken cancellationToken);

public sealed record ProcessorOptions
{
    /// <summary>Handle each session's messages in order, one at a time.</summary>
    public bool Sessions { get; init; } = true;
    /// <summary>How many sessions (or, without sessions, messages) are handled at once.</summary>
    public int MaxConcurrency { get; init; } = 8;
    /// <summary>How long a graceful stop waits for in-flight handlers before it cancels their token.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Starts handlers on entities. Nothing is acknowledged before its handler returned <see cref="MessageOutcome.Complete"/>.</summary>
public interface IMessageProcessorFactory
{
    /// <summary>Starts processing; dispose the result to stop gracefully (in-flight handlers finish first).</summary>
    Task<IAsyncDisposable> StartAsync(string entity, MessageHandler handler, ProcessorOptions options, CancellationToken cancellationToken = default);
}
