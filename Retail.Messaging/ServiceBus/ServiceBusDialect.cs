using Amqp;
using Amqp.Framing;
using Amqp.Types;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Amqp;

namespace Retail.Messaging.ServiceBus;

/// <summary>
/// Azure Service Bus and Event Hubs over AMQP 1.0 (Microsoft's AMQP 1.0 protocol guide): SASL ANONYMOUS then a
/// $cbs put-token per entity, renewed before it expires; peek-lock receivers (receiver settle mode second);
/// complete = accepted, abandon = modified (not failed, not undeliverable here), dead-letter = rejected with
/// <c>com.microsoft:dead-letter</c> and the reason in the error's info; sessions through the
/// <c>com.microsoft:session-filter</c> source filter; lock renewal through <c>&lt;entity&gt;/$management</c>.
/// For Event Hubs, messages carry <c>x-opt-partition-key</c> (the session id) so one subject keeps its order.
/// </summary>
internal sealed partial class ServiceBusDialect(
    string system,
    string fullyQualifiedNamespace,
    int port,
    bool useTls,
    ICbsTokenProvider tokens,
    bool eventHubs,
    ServiceBusOptions options,
    TimeProvider time,
    ILogger logger) : IAmqpDialect
{
    public const string SessionFilterName = "com.microsoft:session-filter";
    /// <summary>The session filter's descriptor code, as the Azure SDKs send it.</summary>
    public const ulong SessionFilterCode = 0x00000137000000C;
    public static readonly Symbol DeadLetterCondition = new("com.microsoft:dead-letter");
    public static readonly Symbol PartitionKey = new("x-opt-partition-key");
    private const string CbsState = "cbs";
    private const string ManagementState = "management:";

    public string SystemName { get; } = system;

    private ILogger Logger => logger;

    public AmqpEndpoint Endpoint { get; } = new(fullyQualifiedNamespace, port, useTls);

    public bool UsesBrokerSessions => true;

    public bool KeepsSessionOrderOnAbandon => true;

    public TimeSpan SessionIdleTimeout => options.SessionIdleTimeout;

    public int MaxDeliveryCount => options.MaxDeliveryCount;

    /// <summary>The token audience of an entity: <c>sb://&lt;namespace&gt;/&lt;entity path&gt;</c>.</summary>
    public string Audience(string entity) => $"sb://{fullyQualifiedNamespace}/{entity}";

    public async Task OnConnectedAsync(AmqpConnectionScope scope, CancellationToken cancellationToken)
    {
        var link = await AmqpRequestResponseLink.OpenAsync(scope, "$cbs", cancellationToken);
        scope.DialectState[CbsState] = new CbsClient(scope, link, tokens, time, logger);
    }

    public Task PrepareEntityAsync(AmqpConnectionScope scope, string entity, CancellationToken cancellationToken) =>
        ((CbsClient)scope.DialectState[CbsState]).AuthorizeAsync(Audience(entity), cancellationToken);

    public string SendAddress(string entity) => entity;

    public Attach ReceiverAttach(string entity, string linkName, bool brokerSession)
    {
        var source = new Source { Address = entity };
        if (brokerSession)
        {
            source.FilterSet = new Map { [new Symbol(SessionFilterName)] = new DescribedValue(SessionFilterCode, null) };
        }

        return new Attach
        {
            Source = source,
            Target = new Target { Address = linkName },
            SndSettleMode = SenderSettleMode.Unsettled,
            RcvSettleMode = ReceiverSettleMode.Second,
        };
    }

    /// <summary>The broker echoes the session filter with the session it granted.</summary>
    public string? GrantedSession(Attach remoteAttach) =>
        (remoteAttach.Source as Source)?.FilterSet?[new Symbol(SessionFilterName)] switch
        {
            DescribedValue { Value: string session } => session,
            string session => session,
            _ => null,
        };

    public void OnSending(Message amqp, TransportMessage message)
    {
        if (eventHubs && (message.SessionId ?? message.Subject) is { } key)
        {
            amqp.MessageAnnotations ??= new MessageAnnotations();
            amqp.MessageAnnotations[PartitionKey] = key;
        }
    }

    public TransportMessage OnReceived(string entity, Message amqp) => AmqpMessageMapper.FromAmqp(amqp);

    public void Abandon(ReceiverLink link, Message message) => link.Modify(message, deliveryFailed: false, undeliverableHere: false);

    public Task DeadLetterAsync(AmqpDelivery delivery, string reason, string description, CancellationToken cancellationToken)
    {
        delivery.Link.Reject(delivery.Message, new Error(DeadLetterCondition)
        {
            Description = description,
            Info = new Fields
            {
                [new Symbol(DeadLetter.ReasonProperty)] = reason,
                [new Symbol(DeadLetter.DescriptionProperty)] = description,
            },
        });
        return Task.CompletedTask;
    }

    public IAsyncDisposable? StartLockRenewal(AmqpDelivery delivery) =>
        eventHubs ? null : new LockRenewal(this, delivery, options.LockRenewalInterval, time);

    /// <summary>Renews the message's lock (<c>com.microsoft:renew-lock</c>) or its session's (<c>com.microsoft:renew-session-lock</c>).</summary>
    internal static async Task RenewLockAsync(AmqpDelivery delivery, CancellationToken cancellationToken)
    {
        var management = await ManagementLinkAsync(delivery.Scope, delivery.Entity, cancellationToken);
        var request = new Message { ApplicationProperties = new ApplicationProperties() };
        if (delivery.BrokerSession is { } session)
        {
            request.ApplicationProperties["operation"] = "com.microsoft:renew-session-lock";
            request.BodySection = new AmqpValue { Value = new Map { ["session-id"] = session } };
        }
        else if (LockToken(delivery.Message) is { } lockToken)
        {
            request.ApplicationProperties["operation"] = "com.microsoft:renew-lock";
            request.BodySection = new AmqpValue { Value = new Map { ["lock-tokens"] = new[] { lockToken } } };
        }
        else
        {
            throw new InvalidOperationException($"Message {delivery.MessageId} on '{delivery.Entity}' carries no lock token to renew.");
        }

        request.ApplicationProperties["associated-link-name"] = delivery.Link.Name;
        var reply = await management.RequestAsync(request, cancellationToken);
        var status = Convert.ToInt32(reply.ApplicationProperties?["statusCode"] ?? 0, System.Globalization.CultureInfo.InvariantCulture);
        if (status != 200)
        {
            throw new InvalidOperationException($"Renewing the lock on '{delivery.Entity}' failed: {status} {reply.ApplicationProperties?["statusDescription"]}");
        }
    }

    /// <summary>The lock token: the 16-byte delivery tag, a .NET Guid's bytes.</summary>
    internal static Guid? LockToken(Message message) => message.DeliveryTag is { Length: 16 } tag ? new Guid(tag) : null;

    private static async Task<AmqpRequestResponseLink> ManagementLinkAsync(AmqpConnectionScope scope, string entity, CancellationToken cancellationToken)
    {
        var key = ManagementState + entity;
        if (scope.DialectState.TryGetValue(key, out var existing) && existing is AmqpRequestResponseLink { IsClosed: false } open)
        {
            return open;
        }

        await scope.PrepareEntityAsync(entity, cancellationToken);
        var link = await AmqpRequestResponseLink.OpenAsync(scope, entity + "/$management", cancellationToken);
        scope.DialectState[key] = link;
        return link;
    }

    [LoggerMessage(EventId = 2901, Level = LogLevel.Warning, Message = "Renewing the lock of message {MessageId} on {Entity} failed")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, string entity, string? messageId);

    private sealed class LockRenewal : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Task loop;

        public LockRenewal(ServiceBusDialect dialect, AmqpDelivery delivery, TimeSpan interval, TimeProvider time) =>
            loop = RunAsync(dialect, delivery, interval, time);

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }

        private async Task RunAsync(ServiceBusDialect dialect, AmqpDelivery delivery, TimeSpan interval, TimeProvider time)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(interval, time, stop.Token);
                    await RenewLockAsync(delivery, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (exception is AmqpException or InvalidOperationException or TimeoutException or ObjectDisposedException)
                {
                    LogRenewalFailed(dialect.Logger, exception, delivery.Entity, delivery.MessageId);
                }
            }
        }
    }
}
