using System.Collections.Concurrent;
using Retail.Messaging;

namespace Retail.Postgres.Tests.Cluster;

/// <summary>Keeps every message the grains' outboxes published, across the silos of a test cluster.</summary>
public sealed class PublishedMessages : IMessagePublisher
{
    private readonly ConcurrentQueue<(string Entity, TransportMessage Message)> _messages = new();

    public static PublishedMessages Instance { get; } = new();

    public int Count => _messages.Count;

    public Task PublishAsync(string entity, TransportMessage message, CancellationToken cancellationToken = default)
    {
        _messages.Enqueue((entity, message));
        return Task.CompletedTask;
    }
}
