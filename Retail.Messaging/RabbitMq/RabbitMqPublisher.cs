using System.Globalization;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Retail.Messaging.Diagnostics;

namespace Retail.Messaging.RabbitMq;

/// <summary>
/// Publishes with publisher confirms on one channel: a publish completes when the broker confirmed the message to
/// the entity's partition queue (mandatory, so an unroutable message fails). Through connection loss it retries
/// with backoff until <see cref="MessagingOptions.PublishTimeout"/>.
/// </summary>
internal sealed partial class RabbitMqPublisher(
    RabbitMqConnection connection, RabbitMqTopology topology, MessagingOptions options, TimeProvider time, ILogger<RabbitMqPublisher> logger)
    : IMessagePublisher, IAsyncDisposable
{
    internal const string SystemName = "rabbitmq";
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);
    private readonly SemaphoreSlim gate = new(1, 1);
    private IChannel? channel;

    public async Task PublishAsync(string entity, TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.MessageId, nameof(message));
        if (DeadLetter.IsDeadLetterQueue(entity, out _))
        {
            throw new ArgumentException($"Messages cannot be published to the dead-letter queue '{entity}'.", nameof(entity));
        }

        var (activity, traced) = MessagingDiagnostics.StartPublish(entity, SystemName, message);
        using (activity)
        {
            var routingKey = topology.PartitionOf(traced.OrderingKey).ToString(CultureInfo.InvariantCulture);
            await SendAsync(entity, RabbitMqTopology.Exchange(entity), routingKey, traced, null, cancellationToken);
        }
    }

    /// <summary>Puts a copy of <paramref name="message"/> with its reason into the entity's dead-letter queue, confirmed.</summary>
    public Task DeadLetterAsync(string entity, TransportMessage message, string reason, string description, CancellationToken cancellationToken) =>
        SendAsync(entity, RabbitMqTopology.DeadLetterExchange(entity), "", message,
            new Dictionary<string, string> { [DeadLetter.ReasonProperty] = reason, [DeadLetter.DescriptionProperty] = description }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (channel is not null)
        {
            await channel.DisposeAsync();
        }

        gate.Dispose();
    }

    private async Task SendAsync(
        string entity, string exchange, string routingKey, TransportMessage message, IReadOnlyDictionary<string, string>? extra, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + options.PublishTimeout;
        var delay = TimeSpan.FromMilliseconds(200);
        var properties = RabbitMqMessages.ToProperties(message, extra);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attemptTimeout.CancelAfter(AttemptTimeout);
                await topology.EnsureDeclaredAsync(entity, attemptTimeout.Token);
                var publishing = await ChannelAsync(attemptTimeout.Token);
                await publishing.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, message.Body, attemptTimeout.Token);
                return;
            }
            catch (PublishException exception) when (exception.IsReturn)
            {
                throw new MessagePublishException($"No queue of '{entity}' took message {message.MessageId} (routing key {routingKey}).", exception);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not MessagePublishException)
            {
                if (time.GetUtcNow() + delay > deadline)
                {
                    throw new MessagePublishException(
                        $"Message {message.MessageId} to '{entity}' was not confirmed by the broker within {options.PublishTimeout} ({attempt} attempts).", exception);
                }

                LogPublishRetry(logger, exception, message.MessageId, entity, attempt, delay);
                await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxReconnectDelay.Ticks));
            }
        }
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (channel is { IsClosed: false } open)
        {
            return open;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (channel is { IsClosed: false } reopened)
            {
                return reopened;
            }

            var broker = await connection.GetAsync(cancellationToken);
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }

            channel = await broker.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            return channel;
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "Publishing {MessageId} to {Entity} failed (attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogPublishRetry(ILogger logger, Exception exception, string messageId, string entity, int attempt, TimeSpan delay);
}
