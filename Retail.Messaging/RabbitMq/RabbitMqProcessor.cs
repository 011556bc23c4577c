using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Retail.Messaging.Processing;

namespace Retail.Messaging.RabbitMq;

/// <summary>
/// Consumes an entity's partition queues, one channel and one consumer each. With sessions a partition's messages
/// are handled one at a time (prefetch 1, and the queue's single active consumer across processes), so every
/// session, which always hashes to the same partition, stays in order; partitions run in parallel, at most
/// <see cref="ProcessorOptions.MaxConcurrency"/> handlers at once. A dead-letter queue is consumed as one queue.
/// Stopping lets running handlers finish and settle, leaves what arrives meanwhile unsettled, then closes the
/// channels: the broker puts those messages back at the head of their queue in the same step in which it makes the
/// next consumer active, so a session continues in order in another process.
/// </summary>
internal sealed partial class RabbitMqProcessor : IAsyncDisposable
{
    private readonly string entity;
    private readonly string parent;
    private readonly bool deadLetterQueue;
    private readonly MessageHandler handler;
    private readonly ProcessorOptions options;
    private readonly RabbitMqOptions rabbit;
    private readonly RabbitMqPublisher publisher;
    private readonly ILogger logger;
    private readonly SemaphoreSlim concurrency;
    private readonly CancellationTokenSource aborting = new();
    private readonly List<IChannel> channels = [];
    private readonly Lock inFlightGate = new();
    private readonly HashSet<Task> inFlight = [];
    private volatile bool stopping;

    public RabbitMqProcessor(
        string entity, MessageHandler handler, ProcessorOptions options, RabbitMqOptions rabbit, RabbitMqPublisher publisher, ILogger logger)
    {
        this.entity = entity;
        deadLetterQueue = DeadLetter.IsDeadLetterQueue(entity, out parent);
        this.handler = handler;
        this.options = options;
        this.rabbit = rabbit;
        this.publisher = publisher;
        this.logger = logger;
        concurrency = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
    }

    public async Task StartAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var queues = deadLetterQueue
            ? [RabbitMqTopology.DeadLetterQueue(parent)]
            : Enumerable.Range(0, rabbit.Partitions).Select(partition => RabbitMqTopology.PartitionQueue(entity, partition)).ToArray();
        var prefetch = (ushort)(options.Sessions && !deadLetterQueue ? 1 : options.MaxConcurrency);
        try
        {
            foreach (var queue in queues)
            {
                var channel = await connection.CreateChannelAsync(
                    new CreateChannelOptions(false, false, consumerDispatchConcurrency: prefetch), cancellationToken);
                await channel.BasicQosAsync(0, prefetch, false, cancellationToken);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) => TrackAsync(() => OnDeliveryAsync(channel, delivery));
                channels.Add(channel);
                await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
            }
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (stopping)
        {
            return;
        }

        stopping = true;
        Task[] running;
        lock (inFlightGate)
        {
            running = [.. inFlight];
        }

        var all = Task.WhenAll(running);
        if (await Task.WhenAny(all, Task.Delay(options.ShutdownTimeout)) != all)
        {
            LogShutdownTimedOut(logger, entity, options.ShutdownTimeout);
            await aborting.CancelAsync();
        }

        await all;
        foreach (var channel in channels)
        {
            await channel.DisposeAsync();
        }

        aborting.Dispose();
        concurrency.Dispose();
    }

    private async Task TrackAsync(Func<Task> work)
    {
        var task = work();
        lock (inFlightGate)
        {
            inFlight.Add(task);
        }

        try
        {
            await task;
        }
        finally
        {
            lock (inFlightGate)
            {
                inFlight.Remove(task);
            }
        }
    }

    private async Task OnDeliveryAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        await Task.Yield();
        if (stopping)
        {
            return;
        }

        await concurrency.WaitAsync();
        try
        {
            await HandleAsync(channel, delivery);
        }
        finally
        {
            concurrency.Release();
        }
    }

    private async Task HandleAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        TransportMessage message;
        int deliveryCount;
        try
        {
            (message, deliveryCount) = RabbitMqMessages.FromDelivery(delivery.BasicProperties, delivery.Body, deadLetterQueue);
        }
        catch (InvalidOperationException exception)
        {
            LogUnreadable(logger, exception, entity);
            await SettleAsync(() => channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false).AsTask(), delivery);
            return;
        }

        var received = new ReceivedMessage(entity, message, deliveryCount);
        var outcome = await MessageHandlerInvoker.InvokeAsync(handler, received, RabbitMqPublisher.SystemName, logger, aborting.Token);
        if (outcome is MessageOutcome.Abandoned && !deadLetterQueue && deliveryCount >= rabbit.MaxDeliveryCount)
        {
            outcome = MessageOutcome.DeadLetter(DeadLetter.MaxDeliveryCountExceeded,
                $"Message could not be consumed after {deliveryCount} delivery attempts.");
        }

        switch (outcome)
        {
            case MessageOutcome.Completed:
                await SettleAsync(() => channel.BasicAckAsync(delivery.DeliveryTag, false).AsTask(), delivery);
                break;
            case MessageOutcome.DeadLettered deadLettered when !deadLetterQueue:
                try
                {
                    await publisher.DeadLetterAsync(parent, message, deadLettered.Reason, deadLettered.Description, aborting.Token);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    LogDeadLetterFailed(logger, exception, message.MessageId, entity);
                    await SettleAsync(() => channel.BasicNackAsync(delivery.DeliveryTag, false, requeue: true).AsTask(), delivery);
                    break;
                }

                await SettleAsync(() => channel.BasicAckAsync(delivery.DeliveryTag, false).AsTask(), delivery);
                break;
            default:
                await SettleAsync(() => channel.BasicNackAsync(delivery.DeliveryTag, false, requeue: true).AsTask(), delivery);
                break;
        }
    }

    /// <summary>A settlement lost with the connection is harmless: the broker puts the message back and delivers it again.</summary>
    private async Task SettleAsync(Func<Task> settle, BasicDeliverEventArgs delivery)
    {
        try
        {
            await settle();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogSettleFailed(logger, exception, delivery.BasicProperties.MessageId, entity);
        }
    }

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Handlers on {Entity} did not finish within {Timeout}; cancelling them")]
    private static partial void LogShutdownTimedOut(ILogger logger, string entity, TimeSpan timeout);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Settling {MessageId} on {Entity} failed; the broker delivers it again")]
    private static partial void LogSettleFailed(ILogger logger, Exception exception, string? messageId, string entity);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Dead-lettering {MessageId} on {Entity} failed; it is delivered again")]
    private static partial void LogDeadLetterFailed(ILogger logger, Exception exception, string messageId, string entity);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Error, Message = "A message without a message id arrived on {Entity}; the broker dead-letters it")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string entity);

}
