using System.Diagnostics;
using Amqp;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Diagnostics;

namespace Retail.Messaging.Amqp;

/// <summary>Publishes over AMQP 1.0; completes once the broker accepted the message, retrying through connection loss.</summary>
internal sealed partial class AmqpMessagePublisher(AmqpConnectionManager connections, ILogger logger) : IMessagePublisher
{
    public async Task PublishAsync(string entity, TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.MessageId, nameof(message));
        if (DeadLetter.IsDeadLetterQueue(entity, out _))
        {
            throw new ArgumentException($"Messages cannot be published to the dead-letter queue '{entity}'.", nameof(entity));
        }

        var dialect = connections.Dialect;
        var (activity, traced) = MessagingDiagnostics.StartPublish(entity, dialect.SystemName, message);
        using (activity)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connections.Options.PublishTimeout);
            for (var attempt = 0; ; attempt++)
            {
                AmqpConnectionScope? scope = null;
                SenderLink? sender = null;
                try
                {
                    scope = await connections.GetAsync(timeout.Token);
                    sender = await scope.GetSenderAsync(dialect.SendAddress(entity), entity, timeout.Token);
                    var amqp = AmqpMessageMapper.ToAmqp(traced);
                    dialect.OnSending(amqp, traced);
                    await sender.SendAsync(amqp).WaitAsync(timeout.Token);
                    return;
                }
                catch (AmqpException exception) when (scope is { IsClosed: false } && sender is { IsClosed: false })
                {
                    activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
                    throw new MessagePublishException($"The broker refused message {message.MessageId} on '{entity}': {exception.Error?.Condition} {exception.Message}", exception);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, "timeout");
                    throw new MessagePublishException($"Message {message.MessageId} could not be published to '{entity}' within {connections.Options.PublishTimeout}.");
                }
                catch (Exception exception) when (IsTransient(exception) && !timeout.IsCancellationRequested)
                {
                    if (scope is { IsClosed: true })
                    {
                        await connections.InvalidateAsync(scope);
                    }

                    var delay = Backoff.Delay(attempt, connections.Options.MaxReconnectDelay);
                    LogPublishRetry(logger, exception, message.MessageId, entity, delay);
                    try
                    {
                        await Task.Delay(delay, timeout.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new MessagePublishException($"Message {message.MessageId} could not be published to '{entity}' within {connections.Options.PublishTimeout}.", exception);
                    }
                }
            }
        }
    }

    internal static bool IsTransient(Exception exception) =>
        exception is AmqpException or ObjectDisposedException or TimeoutException or InvalidOperationException or IOException
            or System.Net.Sockets.SocketException;

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Publishing message {MessageId} to {Entity} failed; retrying in {Delay}")]
    private static partial void LogPublishRetry(ILogger logger, Exception exception, string messageId, string entity, TimeSpan delay);
}
