using Amqp;
using Amqp.Framing;

namespace Retail.Messaging.Amqp;

/// <summary>What differs between brokers that speak AMQP 1.0; everything above it is the same code.</summary>
internal interface IAmqpDialect
{
    /// <summary>The <c>messaging.system</c> of traces.</summary>
    string SystemName { get; }

    AmqpEndpoint Endpoint { get; }

    /// <summary>The broker hands out sessions (a receiver link per session, Service Bus); otherwise sessions are dispatched in-process.</summary>
    bool UsesBrokerSessions { get; }

    /// <summary>After an abandon the broker redelivers the message before the later messages of its session that this consumer already holds.</summary>
    bool KeepsSessionOrderOnAbandon { get; }

    /// <summary>A broker session with no message for this long is let go, so the receiver can accept the next one.</summary>
    TimeSpan SessionIdleTimeout { get; }

    /// <summary>Deliveries after which the broker dead-letters an abandoned message.</summary>
    int MaxDeliveryCount { get; }

    /// <summary>Runs once on each new connection (e.g. opens the claims-based security link).</summary>
    Task OnConnectedAsync(AmqpConnectionScope scope, CancellationToken cancellationToken);

    /// <summary>Runs before a link to <paramref name="entity"/> is attached (e.g. puts a token for it, declares topology).</summary>
    Task PrepareEntityAsync(AmqpConnectionScope scope, string entity, CancellationToken cancellationToken);

    string SendAddress(string entity);

    /// <summary>The attach of a peek-lock receiver; with <paramref name="brokerSession"/> it asks for the next available session.</summary>
    Attach ReceiverAttach(string entity, string linkName, bool brokerSession);

    /// <summary>The session a broker granted, read from its attach reply.</summary>
    string? GrantedSession(Attach remoteAttach);

    void OnSending(Message amqp, TransportMessage message);

    TransportMessage OnReceived(string entity, Message amqp);

    /// <summary>Settles an abandoned message so that it is delivered again (and counted).</summary>
    void Abandon(ReceiverLink link, Message message);

    /// <summary>Moves the message to the dead-letter queue with the reason, then settles it.</summary>
    Task DeadLetterAsync(AmqpDelivery delivery, string reason, string description, CancellationToken cancellationToken);

    /// <summary>Keeps the message's (or session's) lock while a handler runs; null when the broker has no locks to renew.</summary>
    IAsyncDisposable? StartLockRenewal(AmqpDelivery delivery);
}

/// <summary>A received message, where it came from and how many times it has been delivered.</summary>
internal sealed record AmqpDelivery(AmqpConnectionScope Scope, ReceiverLink Link, string Entity, Message Message, string? BrokerSession, int DeliveryCount)
{
    public string? MessageId => Message.Properties?.MessageId;
}
