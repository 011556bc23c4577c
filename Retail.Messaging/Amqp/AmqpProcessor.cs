using System.Collections.Concurrent;
using Amqp;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Processing;

namespace Retail.Messaging.Amqp;

/// <summary>
/// Receives with peek-lock, runs the handler and settles: complete = accepted; abandon and a failed handler = the
/// dialect's abandon; dead-letter = the dialect's dead-letter. Nothing is settled before the handler returned.
/// Reconnects with backoff after the connection or link is lost; unsettled messages then come back from the broker.
/// </summary>
internal sealed partial class AmqpProcessor(
    string entity,
    MessageHandler handler,
    ProcessorOptions options,
    AmqpConnectionManager connections,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    private readonly IAmqpDialect dialect = connections.Dialect;
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource aborting = new();
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, int> deliveryCounts = new(StringComparer.Ordinal);
    private SessionDispatcher? dispatcher;
    private Task[] receivers = [];
    private long sequence;
    private int disposed;

    public void Start()
    {
        if (options.Sessions && dialect.UsesBrokerSessions)
        {
            receivers = [.. Enumerable.Range(0, options.MaxConcurrency).Select(_ => Task.Run(RunBrokerSessionReceiverAsync))];
        }
        else
        {
            dispatcher = new SessionDispatcher(
                options.MaxConcurrency, HandleAsync, delivery => Settle(() => dialect.Abandon(delivery.Link, delivery.Message), delivery),
                rewindOnAbandon: options.Sessions && !dialect.KeepsSessionOrderOnAbandon, time, logger);
            receivers = [Task.Run(RunReceiverAsync)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        var handlersDone = dispatcher is null ? Task.WhenAll(receivers) : dispatcher.StopAsync();
        if (await Task.WhenAny(handlersDone, Task.Delay(options.ShutdownTimeout)) != handlersDone)
        {
            LogShutdownTimedOut(logger, entity, options.ShutdownTimeout);
            await aborting.CancelAsync();
        }

        await handlersDone;
        drained.TrySetResult();
        await Task.WhenAll(receivers);
        dispatcher?.Dispose();
        stopping.Dispose();
        aborting.Dispose();
    }

    private async Task RunReceiverAsync()
    {
        var credit = Math.Max(options.MaxConcurrency * 4, 100);
        for (var attempt = 0; !stopping.IsCancellationRequested; attempt++)
        {
            AmqpConnectionScope? scope = null;
            ReceiverLink? link = null;
            try
            {
                scope = await connections.GetAsync(stopping.Token);
                await scope.PrepareEntityAsync(entity, stopping.Token);
                var name = LinkName();
                (link, _) = await scope.AttachAsync(onAttached => new ReceiverLink(scope.Session, name, dialect.ReceiverAttach(entity, name, brokerSession: false), onAttached), stopping.Token);
                link.SetCredit(credit, autoRestore: true);
                attempt = 0;
                while (!stopping.IsCancellationRequested && !link.IsClosed)
                {
                    var message = await link.ReceiveAsync(TimeSpan.FromSeconds(1));
                    if (message is not null)
                    {
                        var key = options.Sessions && message.Properties?.GroupId is { } group ? group : "\0" + Interlocked.Increment(ref sequence);
                        dispatcher!.Post(key, new AmqpDelivery(scope, link, entity, message, null));
                    }
                }

                if (!stopping.IsCancellationRequested)
                {
                    throw new AmqpException(link.Error ?? new global::Amqp.Framing.Error(global::Amqp.ErrorCode.DetachForced) { Description = "The receiver link was closed." });
                }
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                await RecoverAsync(exception, scope, link, attempt);
            }
            catch (OperationCanceledException)
            {
                // Stopping while connecting or attaching.
            }
            finally
            {
                if (link is not null)
                {
                    if (stopping.IsCancellationRequested)
                    {
                        await drained.Task;
                    }

                    await AmqpConnectionScope.CloseQuietlyAsync(link);
                }
            }
        }
    }

    private async Task RunBrokerSessionReceiverAsync()
    {
        for (var attempt = 0; !stopping.IsCancellationRequested; attempt++)
        {
            AmqpConnectionScope? scope = null;
            ReceiverLink? link = null;
            try
            {
                scope = await connections.GetAsync(stopping.Token);
                await scope.PrepareEntityAsync(entity, stopping.Token);
                var name = LinkName();
                (link, var remote) = await scope.AttachAsync(onAttached => new ReceiverLink(scope.Session, name, dialect.ReceiverAttach(entity, name, brokerSession: true), onAttached), stopping.Token);
                var session = dialect.GrantedSession(remote) ?? throw new InvalidOperationException($"The broker attached a session receiver on '{entity}' without granting a session.");
                LogSessionAccepted(logger, entity, session);
                link.SetCredit(1, autoRestore: true);
                attempt = 0;
                var lastMessageAt = time.GetUtcNow();
                while (!stopping.IsCancellationRequested && !link.IsClosed)
                {
                    var message = await link.ReceiveAsync(TimeSpan.FromSeconds(1));
                    if (message is null)
                    {
                        if (time.GetUtcNow() - lastMessageAt > dialect.SessionIdleTimeout)
                        {
                            break;
                        }

                        continue;
                    }

                    await HandleAsync(new AmqpDelivery(scope, link, entity, message, session));
                    lastMessageAt = time.GetUtcNow();
                }
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                await RecoverAsync(exception, scope, link, attempt);
            }
            catch (OperationCanceledException)
            {
                // Stopping while connecting or attaching.
            }
            finally
            {
                if (link is not null)
                {
                    await AmqpConnectionScope.CloseQuietlyAsync(link);
                }
            }
        }
    }

    private async Task RecoverAsync(Exception exception, AmqpConnectionScope? scope, ReceiverLink? link, int attempt)
    {
        var delay = Backoff.Delay(attempt, connections.Options.MaxReconnectDelay);
        LogReceiveFailed(logger, exception, entity, delay);
        if (link is not null)
        {
            await AmqpConnectionScope.CloseQuietlyAsync(link);
        }

        if (scope is { IsClosed: true })
        {
            await connections.InvalidateAsync(scope);
        }

        try
        {
            await Task.Delay(delay, stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping during the backoff.
        }
    }

    private async Task<HandledDelivery> HandleAsync(AmqpDelivery delivery)
    {
        if (delivery.Link.IsClosed)
        {
            return new HandledDelivery(false);
        }

        var message = dialect.OnReceived(delivery.Message);
        var deliveryCount = CountDelivery(delivery.Message, message.MessageId);
        var received = new ReceivedMessage(entity, message, deliveryCount);
        MessageOutcome outcome;
        var renewal = dialect.StartLockRenewal(delivery);
        try
        {
            outcome = await MessageHandlerInvoker.InvokeAsync(handler, received, dialect.SystemName, logger, aborting.Token);
        }
        finally
        {
            if (renewal is not null)
            {
                await renewal.DisposeAsync();
            }
        }

        switch (outcome)
        {
            case MessageOutcome.Completed:
                Forget(message.MessageId);
                Settle(() => delivery.Link.Accept(delivery.Message), delivery);
                return new HandledDelivery(false);
            case MessageOutcome.DeadLettered deadLettered:
                Forget(message.MessageId);
                try
                {
                    await dialect.DeadLetterAsync(delivery, deadLettered.Reason, deadLettered.Description, aborting.Token);
                }
                catch (Exception exception) when (AmqpMessagePublisher.IsTransient(exception) || exception is OperationCanceledException or MessagePublishException)
                {
                    LogSettleFailed(logger, exception, entity, delivery.Message.Properties?.MessageId);
                }

                return new HandledDelivery(false);
            default:
                var redelivered = deliveryCount < dialect.MaxDeliveryCount;
                if (!redelivered)
                {
                    Forget(message.MessageId);
                }

                Settle(() => dialect.Abandon(delivery.Link, delivery.Message), delivery);
                return new HandledDelivery(redelivered);
        }
    }

    /// <summary>The broker's count when it reports one (Service Bus), otherwise this consumer's own count per message id (RabbitMQ).</summary>
    private int CountDelivery(Message message, string messageId)
    {
        var reported = (int)(message.Header?.DeliveryCount ?? 0) + 1;
        if (messageId.Length == 0)
        {
            return reported;
        }

        var counted = deliveryCounts.AddOrUpdate(messageId, 1, (_, count) => count + 1);
        return Math.Max(reported, counted);
    }

    private void Forget(string messageId)
    {
        if (messageId.Length > 0)
        {
            deliveryCounts.TryRemove(messageId, out _);
        }
    }

    private void Settle(Action settle, AmqpDelivery delivery)
    {
        try
        {
            settle();
        }
        catch (Exception exception) when (AmqpMessagePublisher.IsTransient(exception))
        {
            LogSettleFailed(logger, exception, entity, delivery.Message.Properties?.MessageId);
        }
    }

    private string LinkName() => "receive-" + entity + "-" + Guid.NewGuid().ToString("N")[..8];

    [LoggerMessage(EventId = 2501, Level = LogLevel.Warning, Message = "Receiving from {Entity} failed; reconnecting in {Delay}")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception, string entity, TimeSpan delay);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "Settling message {MessageId} on {Entity} failed; the broker will deliver it again")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string entity, string? messageId);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Warning, Message = "Handlers on {Entity} did not finish within {Timeout}; cancelling them")]
    private static partial void LogShutdownTimedOut(ILogger logger, string entity, TimeSpan timeout);

    [LoggerMessage(EventId = 2504, Level = LogLevel.Debug, Message = "Accepted session {Session} on {Entity}")]
    private static partial void LogSessionAccepted(ILogger logger, string entity, string session);
}
