using System.Collections.Concurrent;
using System.Text;
using Retail.Messaging;

namespace Retail.Grains.Tests;

/// <summary>Records every published message; can be told to fail, to exercise the outbox's retries.</summary>
public sealed class RecordingPublisher : IMessagePublisher
{
    private readonly ConcurrentQueue<(string Entity, TransportMessage Message)> _messages = new();

    public bool Failing { get; set; }

    public Task PublishAsync(string entity, TransportMessage message, CancellationToken cancellationToken = default)
    {
        if (Failing)
        {
            throw new IOException("The broker is unreachable.");
        }
        _messages.Enqueue((entity, message));
        return Task.CompletedTask;
    }

    /// <summary>The messages published to <paramref name="entity"/> for <paramref name="sessionId"/>, in publish order.</summary>
    public IReadOnlyList<TransportMessage> For(string entity, string sessionId) =>
        _messages.Where(m => m.Entity == entity && m.Message.SessionId == sessionId).Select(m => m.Message).ToList();

    public static string BodyOf(TransportMessage message) => Encoding.UTF8.GetString(message.Body.Span);
}
