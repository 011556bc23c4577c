using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Processing;

namespace Retail.Messaging.Azure;

/// <summary>
/// Runs a <see cref="ServiceBusSessionProcessor"/> (each session in order, at most MaxConcurrency sessions at once,
/// message and session locks renewed by the SDK while a handler runs) or a <see cref="ServiceBusProcessor"/>, and
/// settles each message with the handler's outcome. Nothing is completed before its handler returned.
/// </summary>
internal sealed partial class AzureProcessor(string entity, MessageHandler handler, ProcessorOptions options, AzureHealth health, ILogger logger)
    : IAsyncDisposable
{
    private readonly CancellationTokenSource aborting = new();
    private readonly Lock gate = new();
    private TaskCompletionSource? drained;
    private int inFlight;
    private bool stopping;
    private Func<Task>? stop;
    private Func<ValueTask>? dispose;

    public async Task StartAsync(ServiceBusSessionProcessor processor, CancellationToken cancellationToken)
    {
        processor.ProcessMessageAsync += args => SettleAsync(
            args.Message,
            outcome => outcome switch
            {
                MessageOutcome.Completed => args.CompleteMessageAsync(args.Message, CancellationToken.None),
                MessageOutcome.DeadLettered dead => args.DeadLetterMessageAsync(args.Message, dead.Reason, dead.Description, CancellationToken.None),
                _ => args.AbandonMessageAsync(args.Message, cancellationToken: CancellationToken.None),
            });
        processor.ProcessErrorAsync += OnErrorAsync;
        (stop, dispose) = (() => processor.StopProcessingAsync(), processor.DisposeAsync);
        await processor.StartProcessingAsync(cancellationToken);
    }

    public async Task StartAsync(ServiceBusProcessor processor, CancellationToken cancellationToken)
    {
        var deadLetterQueue = DeadLetter.IsDeadLetterQueue(entity, out _);
        processor.ProcessMessageAsync += args => SettleAsync(
            args.Message,
            outcome => outcome switch
            {
                MessageOutcome.Completed => args.CompleteMessageAsync(args.Message, CancellationToken.None),
                MessageOutcome.DeadLettered dead when !deadLetterQueue =>
                    args.DeadLetterMessageAsync(args.Message, dead.Reason, dead.Description, CancellationToken.None),
                _ => args.AbandonMessageAsync(args.Message, cancellationToken: CancellationToken.None),
            });
        processor.ProcessErrorAsync += OnErrorAsync;
        (stop, dispose) = (() => processor.StopProcessingAsync(), processor.DisposeAsync);
        await processor.StartProcessingAsync(cancellationToken);
    }

    /// <summary>
    /// Running handlers finish and settle within <see cref="ProcessorOptions.ShutdownTimeout"/> (then their token is
    /// cancelled) before the SDK's receivers are closed, so a finished handler's outcome is never lost with its link;
    /// messages that arrive meanwhile are abandoned at once.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (stop is null || dispose is null)
        {
            return;
        }

        Task idle;
        lock (gate)
        {
            stopping = true;
            drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (inFlight == 0)
            {
                drained.SetResult();
            }

            idle = drained.Task;
        }

        if (await Task.WhenAny(idle, Task.Delay(options.ShutdownTimeout)) != idle)
        {
            await aborting.CancelAsync();
            await idle;
        }

        await stop();
        await dispose();
        (stop, dispose) = (null, null);
        aborting.Dispose();
    }

    private async Task SettleAsync(ServiceBusReceivedMessage message, Func<MessageOutcome, Task> settle)
    {
        bool accepted;
        lock (gate)
        {
            accepted = !stopping;
            inFlight += accepted ? 1 : 0;
        }

        if (!accepted)
        {
            await settle(MessageOutcome.Abandon);
            return;
        }

        try
        {
            var received = new ReceivedMessage(entity, ToTransportMessage(message), message.DeliveryCount);
            var outcome = await MessageHandlerInvoker.InvokeAsync(handler, received, AzurePublisher.ServiceBusSystem, logger, aborting.Token);
            await settle(outcome);
            health.Succeeded();
        }
        finally
        {
            lock (gate)
            {
                if (--inFlight == 0 && stopping)
                {
                    drained?.TrySetResult();
                }
            }
        }
    }

    private Task OnErrorAsync(ProcessErrorEventArgs args)
    {
        health.Failed(args.Exception);
        LogProcessorError(logger, args.Exception, entity, args.ErrorSource.ToString());
        return Task.CompletedTask;
    }

    private static TransportMessage ToTransportMessage(ServiceBusReceivedMessage message)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in message.ApplicationProperties)
        {
            if (value is not null)
            {
                properties[name] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
            }
        }

        if (message.DeadLetterReason is { } reason)
        {
            properties[DeadLetter.ReasonProperty] = reason;
            properties[DeadLetter.DescriptionProperty] = message.DeadLetterErrorDescription ?? "";
        }

        return new TransportMessage
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            SessionId = message.SessionId,
            Subject = message.Subject,
            ContentType = message.ContentType ?? "application/octet-stream",
            ApplicationProperties = properties,
            Body = message.Body.ToMemory(),
        };
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Warning, Message = "Service Bus processor on {Entity} reported an error ({Source}); the SDK retries")]
    private static partial void LogProcessorError(ILogger logger, Exception exception, string entity, string source);
}
