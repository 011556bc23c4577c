using Amqp;
using Amqp.Framing;
using Retail.Messaging.Amqp;

namespace Retail.Messaging.RabbitMq;

/// <summary>
/// RabbitMQ 3.10 with rabbitmq_amqp1_0. Abandon is <c>released</c> (the broker kills the session on <c>modified</c>),
/// and the quorum queue's <c>x-delivery-limit</c> dead-letters after the max deliveries. The broker drops a reject's
/// description, so dead-lettering publishes the message with its reason to the dead-letter queue and then accepts the
/// original. The broker reports no delivery count, so the processor counts deliveries per message id. There are no
/// message groups: single active consumer plus in-process per-session dispatch keep each session in order.
/// </summary>
internal sealed class RabbitMqDialect(RabbitMqOptions options, RabbitMqTopology topology) : IAmqpDialect
{
    public string SystemName => "rabbitmq";

    public AmqpEndpoint Endpoint { get; } = AmqpEndpoint.Parse(options.ConnectionString ?? throw new InvalidOperationException("ConnectionStrings:retail-broker is not set."));

    public bool UsesBrokerSessions => false;

    public bool KeepsSessionOrderOnAbandon => false;

    public TimeSpan SessionIdleTimeout => TimeSpan.Zero;

    public int MaxDeliveryCount => options.MaxDeliveryCount;

    public Task OnConnectedAsync(AmqpConnectionScope scope, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PrepareEntityAsync(AmqpConnectionScope scope, string entity, CancellationToken cancellationToken)
    {
        DeadLetter.IsDeadLetterQueue(entity, out var parent);
        return topology.EnsureDeclaredAsync(parent, cancellationToken);
    }

    public string SendAddress(string entity) =>
        topology.IsEventStream(entity) ? $"/exchange/{entity}/{entity}" : $"/amq/queue/{entity}";

    public Attach ReceiverAttach(string entity, string linkName, bool brokerSession) => new()
    {
        Source = new Source { Address = DeadLetter.IsDeadLetterQueue(entity, out var parent) ? $"/amq/queue/{RabbitMqTopology.DeadLetterQueue(parent)}" : $"/amq/queue/{entity}" },
        Target = new Target { Address = linkName },
        SndSettleMode = SenderSettleMode.Unsettled,
        RcvSettleMode = ReceiverSettleMode.First,
    };

    public string? GrantedSession(Attach remoteAttach) => null;

    public void OnSending(Message amqp, TransportMessage message)
    {
    }

    /// <summary>
    /// Over AMQP 1.0 the broker does not pass on its <c>x-death</c> headers, so a message it dead-lettered itself
    /// arrives without a reason. This dialect never rejects (it publishes its dead letters with their reason), so such
    /// a message reached the dead-letter queue through the queue's delivery limit.
    /// </summary>
    public TransportMessage OnReceived(string entity, Message amqp)
    {
        var message = AmqpMessageMapper.FromAmqp(amqp);
        if (!DeadLetter.IsDeadLetterQueue(entity, out _) || message.ApplicationProperties.ContainsKey(DeadLetter.ReasonProperty))
        {
            return message;
        }

        var properties = new Dictionary<string, string>(message.ApplicationProperties, StringComparer.Ordinal)
        {
            [DeadLetter.ReasonProperty] = DeadLetter.MaxDeliveryCountExceeded,
            [DeadLetter.DescriptionProperty] = $"Message could not be consumed after {options.MaxDeliveryCount} delivery attempts.",
        };
        return message with { ApplicationProperties = properties };
    }

    public void Abandon(ReceiverLink link, Message message) => link.Release(message);

    public async Task DeadLetterAsync(AmqpDelivery delivery, string reason, string description, CancellationToken cancellationToken)
    {
        if (DeadLetter.IsDeadLetterQueue(delivery.Entity, out var parent))
        {
            throw new InvalidOperationException($"'{delivery.Entity}' is a dead-letter queue; its messages cannot be dead-lettered again.");
        }

        var message = AmqpMessageMapper.FromAmqp(delivery.Message);
        var properties = new Dictionary<string, string>(message.ApplicationProperties, StringComparer.Ordinal)
        {
            [DeadLetter.ReasonProperty] = reason,
            [DeadLetter.DescriptionProperty] = description,
        };
        var copy = AmqpMessageMapper.ToAmqp(message with { ApplicationProperties = properties });
        var sender = await delivery.Scope.GetSenderAsync($"/amq/queue/{RabbitMqTopology.DeadLetterQueue(parent)}", parent, cancellationToken);
        await sender.SendAsync(copy).WaitAsync(cancellationToken);
        delivery.Link.Accept(delivery.Message);
    }

    public IAsyncDisposable? StartLockRenewal(AmqpDelivery delivery) => null;
}
