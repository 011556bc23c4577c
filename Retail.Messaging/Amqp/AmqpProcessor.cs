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
    /// <summary>
    /// How many unsettled messages a receiver link holds (see <see cref="ReceiverCredit"/>). A broker that loses this
    /// consumer returns its unsettled messages, and RabbitMQ keeps their order only while a consumer holds at most 32.
    /// </summary>
    private const int Prefetch = 32;

    private static readonly TimeSpan RewindGrace = TimeSpan.FromSeconds(5);

    private readonly IAmqpDialect dialect = connections.Dialect;
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource stopReceiving = new();
    private readonly CancellationTokenSource aborting = new();
    private readonly TaskCompletionSource receiverStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, int> deliveryCounts = new(StringComparer.Ordinal);
    private SessionDispatcher? dispatcher;
    private ReceiverCredit? credit;
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
                options.MaxConcurrency,
                delivery => HandleAsync(delivery, settleAbandon: false),
                delivery => Settle(() => dialect.Abandon(delivery.Link, delivery.Message), delivery),
                rewindOnAbandon: options.Sessions && !dialect.KeepsSessionOrderOnAbandon,
                dialect.MaxDeliveryCount,
                time,
                logger);
            receivers = [Task.Run(RunReceiverAsync)];
        }
    }

    /// <summary>
    /// Stops gracefully: no new handlers; the running ones finish (cancelled after the shutdown timeout); a session
    /// waiting for released messages gets them back first; then everything held is released, each session in order.
    /// </summary>
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
        if (dispatcher is not null)
        {
            GrantCreditForRewinds();
            await dispatcher.WaitForRewoundAsync(RewindGrace);
            await stopReceiving.CancelAsync();
            await receiverStopped.Task;
            dispatcher.ReleaseHeld();
        }

        drained.TrySetResult();
        await Task.WhenAll(receivers);
        dispatcher?.Dispose();
        stopping.Dispose();
        stopReceiving.Dispose();
        aborting.Dispose();
    }

    private async Task RunReceiverAsync()
    {
        try
        {
            await ReceiveIntoDispatcherAsync();
        }
        finally
        {
            receiverStopped.TrySetResult();
        }
    }

    private async Task ReceiveIntoDispatcherAsync()
    {
        for (var attempt = 0; !stopReceiving.IsCancellationRequested; attempt++)
        {
            AmqpConnectionScope? scope = null;
            ReceiverLink? link = null;
            try
            {
                scope = await connections.GetAsync(stopReceiving.Token);
                await scope.PrepareEntityAsync(entity, stopReceiving.Token);
                var name = LinkName();
                (link, _) = await scope.AttachAsync(onAttached => new ReceiverLink(scope.Session, name, dialect.ReceiverAttach(entity, name, brokerSession: false), onAttached), stopReceiving.Token);
                var linkCredit = new ReceiverCredit(link, Prefetch);
                credit = linkCredit;
                linkCredit.Open();
                attempt = 0;
                while (!stopReceiving.IsCancellationRequested && !link.IsClosed)
                {
                    if (await link.ReceiveAsync(TimeSpan.FromMilliseconds(500)) is { } message)
                    {
                        Dispatch(scope, linkCredit, message);
                    }
                }

                if (!stopReceiving.IsCancellationRequested)
                {
                    throw new AmqpException(link.Error ?? new global::Amqp.Framing.Error(global::Amqp.ErrorCode.DetachForced) { Description = "The receiver link was closed." });
                }
            }
            catch (Exception exception) when (!stopReceiving.IsCancellationRequested)
            {
                await RecoverAsync(exception, scope, link, attempt, stopReceiving.Token);
                if (link is not null)
                {
                    dispatcher!.Forget(link);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopping while connecting or attaching.
            }
            finally
            {
                if (link is not null)
                {
                    if (stopReceiving.IsCancellationRequested && scope is not null && credit is { } linkCredit && ReferenceEquals(linkCredit.Link, link))
                    {
                        await DrainAsync(scope, linkCredit);
                        receiverStopped.TrySetResult();
                        await drained.Task;
                    }

                    await AmqpConnectionScope.CloseQuietlyAsync(link);
                }
            }
        }
    }

    /// <summary>
    /// While stopping, the messages the dispatcher holds keep the link's credit, so released messages that a rewound
    /// session waits for could not come back; the broker delivers released messages first, so this much more credit
    /// brings exactly those.
    /// </summary>
    private void GrantCreditForRewinds()
    {
        try
        {
            credit?.Widen(dispatcher!.OutstandingRewinds);
        }
        catch (Exception exception) when (AmqpMessagePublisher.IsTransient(exception))
        {
            LogReceiveFailed(logger, exception, entity, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Stops the flow and hands what is already on its way to the dispatcher, which only holds it now: while the broker
    /// is delivering it uses up its credit; once nothing arrives any more, a drain takes back what it has left, so that
    /// messages released next stay with the broker, in the order they were released.
    /// </summary>
    private async Task DrainAsync(AmqpConnectionScope scope, ReceiverCredit linkCredit)
    {
        var link = linkCredit.Link;
        try
        {
            linkCredit.Close();
            while (!link.IsClosed && linkCredit.Outstanding > 0 && await link.ReceiveAsync(TimeSpan.FromMilliseconds(300)) is { } message)
            {
                Dispatch(scope, linkCredit, message);
            }

            linkCredit.Drain();
            while (!link.IsClosed && await link.ReceiveAsync(TimeSpan.FromMilliseconds(300)) is { } message)
            {
                Dispatch(scope, linkCredit, message);
            }
        }
        catch (Exception exception) when (AmqpMessagePublisher.IsTransient(exception))
        {
            LogReceiveFailed(logger, exception, entity, TimeSpan.Zero);
        }
    }

    private void Dispatch(AmqpConnectionScope scope, ReceiverCredit linkCredit, Message message)
    {
        linkCredit.Received();
        dispatcher!.Post(SessionKey(message), Received(scope, linkCredit.Link, message, null));
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
                    var message = await link.ReceiveAsync(TimeSpan.FromMilliseconds(500));
                    if (message is null)
                    {
                        if (time.GetUtcNow() - lastMessageAt > dialect.SessionIdleTimeout)
                        {
                            break;
                        }

                        continue;
                    }

                    await HandleAsync(Received(scope, link, message, session), settleAbandon: true);
                    lastMessageAt = time.GetUtcNow();
                }
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                await RecoverAsync(exception, scope, link, attempt, stopping.Token);
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

    private async Task RecoverAsync(Exception exception, AmqpConnectionScope? scope, ReceiverLink? link, int attempt, CancellationToken cancellationToken)
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
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping during the backoff.
        }
    }

    /// <summary>Counts the delivery: the broker's count when it reports one (Service Bus), otherwise this consumer's own count per message id (RabbitMQ).</summary>
    private AmqpDelivery Received(AmqpConnectionScope scope, ReceiverLink link, Message message, string? session)
    {
        var reported = (int)(message.Header?.DeliveryCount ?? 0) + 1;
        var count = message.Properties?.MessageId is { Length: > 0 } id
            ? Math.Max(reported, deliveryCounts.AddOrUpdate(id, 1, (_, previous) => previous + 1))
            : reported;
        return new AmqpDelivery(scope, link, entity, message, session, count);
    }

    /// <summary>Runs the handler and settles, except an abandon when <paramref name="settleAbandon"/> is false (the dispatcher settles it).</summary>
    private async Task<HandledDelivery> HandleAsync(AmqpDelivery delivery, bool settleAbandon)
    {
        if (delivery.Link.IsClosed)
        {
            return new HandledDelivery(false, false);
        }

        var message = dialect.OnReceived(entity, delivery.Message);
        var received = new ReceivedMessage(entity, message, delivery.DeliveryCount);
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
                Forget(delivery);
                Settle(() => delivery.Link.Accept(delivery.Message), delivery);
                return new HandledDelivery(false, false);
            case MessageOutcome.DeadLettered deadLettered:
                Forget(delivery);
                try
                {
                    await dialect.DeadLetterAsync(delivery, deadLettered.Reason, deadLettered.Description, aborting.Token);
                    CountSettled(delivery);
                }
                catch (Exception exception) when (AmqpMessagePublisher.IsTransient(exception) || exception is OperationCanceledException or MessagePublishException)
                {
                    LogSettleFailed(logger, exception, entity, delivery.MessageId);
                }

                return new HandledDelivery(false, false);
            default:
                var redelivered = delivery.DeliveryCount < dialect.MaxDeliveryCount;
                if (!redelivered)
                {
                    Forget(delivery);
                }

                if (settleAbandon)
                {
                    Settle(() => dialect.Abandon(delivery.Link, delivery.Message), delivery);
                }

                return new HandledDelivery(true, redelivered);
        }
    }

    private void Forget(AmqpDelivery delivery)
    {
        if (delivery.MessageId is { Length: > 0 } id)
        {
            deliveryCounts.TryRemove(id, out _);
        }
    }

    private void Settle(Action settle, AmqpDelivery delivery)
    {
        try
        {
            settle();
            CountSettled(delivery);
        }
        catch (Exception exception) when (AmqpMessagePublisher.IsTransient(exception))
        {
            LogSettleFailed(logger, exception, entity, delivery.MessageId);
        }
    }

    /// <summary>Gives the credit of a settled message back to its link, if that is still the one receiving.</summary>
    private void CountSettled(AmqpDelivery delivery)
    {
        if (credit is { } linkCredit && ReferenceEquals(linkCredit.Link, delivery.Link))
        {
            linkCredit.Settled();
        }
    }

    private string SessionKey(Message message) =>
        options.Sessions && message.Properties?.GroupId is { } group ? group : "\0" + Interlocked.Increment(ref sequence);

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
