using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Retail.Messaging.Diagnostics;

namespace Retail.Messaging.InMemory;

/// <summary>
/// The transport of the embedded mode and of fast tests: queues in this process with the brokers' semantics
/// (peek-lock, delivery counts, dead-lettering after the max deliveries, per-session order). One instance serves
/// the whole process; queues are created on first use. Its contents can be read with <see cref="Peek"/> and
/// <see cref="PeekDeadLetters"/>.
/// </summary>
public sealed class InMemoryMessageBroker : IMessagePublisher, IMessageProcessorFactory, IMessagingHealth
{
    internal const string SystemName = "retail.inmemory";

    private readonly ConcurrentDictionary<string, InMemoryEntity> entities = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger logger;

    public InMemoryMessageBroker(ILogger<InMemoryMessageBroker>? logger = null, int maxDeliveryCount = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDeliveryCount, 1);
        this.logger = logger ?? NullLogger<InMemoryMessageBroker>.Instance;
        MaxDeliveryCount = maxDeliveryCount;
    }

    /// <summary>After this many deliveries an abandoned message is dead-lettered.</summary>
    public int MaxDeliveryCount { get; }

    public Task PublishAsync(string entity, TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.MessageId, nameof(message));
        if (DeadLetter.IsDeadLetterQueue(entity, out _))
        {
            throw new ArgumentException($"Messages cannot be published to the dead-letter queue '{entity}'.", nameof(entity));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (activity, traced) = MessagingDiagnostics.StartPublish(entity, SystemName, message);
        using (activity)
        {
            EntityFor(entity).Enqueue(traced);
        }

        return Task.CompletedTask;
    }

    public Task<IAsyncDisposable> StartAsync(string entity, MessageHandler handler, ProcessorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        cancellationToken.ThrowIfCancellationRequested();
        var processor = new InMemoryProcessor(EntityFor(entity), handler, options, logger);
        processor.Start();
        return Task.FromResult<IAsyncDisposable>(processor);
    }

    /// <summary>The messages waiting in <paramref name="entity"/> (not yet completed), in order, without locking them.</summary>
    public IReadOnlyList<TransportMessage> Peek(string entity) =>
        [.. EntityFor(entity).Snapshot().Select(entry => entry.Message)];

    /// <summary>The dead letters of <paramref name="entity"/>, with their reason and description.</summary>
    public IReadOnlyList<DeadLetteredMessage> PeekDeadLetters(string entity) =>
        [.. EntityFor(DeadLetter.QueueOf(entity)).Snapshot().Select(entry => new DeadLetteredMessage(
            entry.Message,
            entry.Message.ApplicationProperties.GetValueOrDefault(DeadLetter.ReasonProperty, ""),
            entry.Message.ApplicationProperties.GetValueOrDefault(DeadLetter.DescriptionProperty, ""),
            entry.DeliveryCount))];

    public Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy($"In-memory transport, {entities.Count} entities."));

    private InMemoryEntity EntityFor(string entity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        if (DeadLetter.IsDeadLetterQueue(entity, out var parent))
        {
            return EntityFor(parent).DeadLetterQueue!;
        }

        return entities.GetOrAdd(entity, name => new InMemoryEntity(
            name, MaxDeliveryCount, new InMemoryEntity(DeadLetter.QueueOf(name), int.MaxValue, null)));
    }
}
