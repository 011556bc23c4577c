using Microsoft.Extensions.Logging;
using Retail.Messaging.Processing;

namespace Retail.Messaging.InMemory;

/// <summary>Workers over one in-memory entity: with sessions each worker holds one session at a time and handles its messages in order.</summary>
internal sealed partial class InMemoryProcessor(InMemoryEntity entity, MessageHandler handler, ProcessorOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly CancellationTokenSource aborting = new();
    private Task[] workers = [];
    private int disposed;

    public void Start() =>
        workers = [.. Enumerable.Range(0, options.MaxConcurrency).Select(_ => Task.Run(RunWorkerAsync))];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        var all = Task.WhenAll(workers);
        if (await Task.WhenAny(all, Task.Delay(options.ShutdownTimeout)) != all)
        {
            LogShutdownTimedOut(logger, entity.Name, options.ShutdownTimeout);
            await aborting.CancelAsync();
        }

        await all;
        stopping.Dispose();
        aborting.Dispose();
    }

    private async Task RunWorkerAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            if (options.Sessions)
            {
                var session = entity.TryLockNextSession(out var changed);
                if (session is null)
                {
                    await WaitAsync(changed);
                    continue;
                }

                try
                {
                    while (!stopping.IsCancellationRequested && entity.TryLockNextMessage(session, out _) is { } entry)
                    {
                        await HandleAsync(entry);
                    }
                }
                finally
                {
                    entity.UnlockSession(session);
                }
            }
            else if (entity.TryLockNextMessage(null, out var changed) is { } entry)
            {
                await HandleAsync(entry);
            }
            else
            {
                await WaitAsync(changed);
            }
        }
    }

    private async Task HandleAsync(InMemoryEntity.Entry entry)
    {
        var received = new ReceivedMessage(entity.Name, entry.Message, entry.DeliveryCount);
        var outcome = await MessageHandlerInvoker.InvokeAsync(handler, received, InMemoryMessageBroker.SystemName, logger, aborting.Token);
        switch (outcome)
        {
            case MessageOutcome.Completed:
                entity.Complete(entry);
                break;
            case MessageOutcome.DeadLettered deadLettered when entity.DeadLetterQueue is not null:
                entity.DeadLetter(entry, deadLettered.Reason, deadLettered.Description);
                break;
            default:
                entity.Abandon(entry);
                break;
        }
    }

    private async Task WaitAsync(Task changed)
    {
        try
        {
            await changed.WaitAsync(stopping.Token);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the worker loop ends.
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Handlers on {Entity} did not finish within {Timeout}; cancelling them")]
    private static partial void LogShutdownTimedOut(ILogger logger, string entity, TimeSpan timeout);
}
