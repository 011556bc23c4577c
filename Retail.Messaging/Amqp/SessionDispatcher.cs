using Microsoft.Extensions.Logging;

namespace Retail.Messaging.Amqp;

/// <summary>
/// Hands deliveries from one receiver link to handlers: one session's messages one at a time and in order, different
/// sessions in parallel. Where the broker does not put an abandoned message back ahead of the session's later messages
/// that this consumer already holds, the session is rewound: those are released too, in order, and the session's
/// messages are released on arrival until the abandoned one comes back (or its deliveries are used up).
/// </summary>
internal sealed partial class SessionDispatcher(
    int maxConcurrency,
    Func<AmqpDelivery, Task<HandledDelivery>> handle,
    Action<AmqpDelivery> release,
    bool rewindOnAbandon,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    /// <summary>How long a rewound session waits for its abandoned message before it goes on without it.</summary>
    public static readonly TimeSpan RewindTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock gate = new();
    private readonly Dictionary<string, SessionState> sessions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim slots = new(maxConcurrency, maxConcurrency);
    private readonly List<Task> runners = [];
    private bool stopping;

    public void Post(string sessionKey, AmqpDelivery delivery)
    {
        lock (gate)
        {
            if (stopping)
            {
                return;
            }

            if (!sessions.TryGetValue(sessionKey, out var state))
            {
                state = new SessionState();
                sessions[sessionKey] = state;
            }

            if (state.AwaitedMessageId is { } awaited)
            {
                if (delivery.Message.Properties?.MessageId == awaited || time.GetUtcNow() - state.AwaitingSince > RewindTimeout)
                {
                    state.AwaitedMessageId = null;
                }
                else
                {
                    release(delivery);
                    return;
                }
            }

            state.Pending.Enqueue(delivery);
            if (!state.Running)
            {
                state.Running = true;
                if (runners.Count > 256)
                {
                    runners.RemoveAll(task => task.IsCompleted);
                }

                runners.Add(Task.Run(() => RunSessionAsync(sessionKey, state)));
            }
        }
    }

    /// <summary>Starts nothing new and waits for the running handlers; deliveries not yet started stay unsettled.</summary>
    public Task StopAsync()
    {
        lock (gate)
        {
            stopping = true;
            return Task.WhenAll(runners);
        }
    }

    public void Dispose() => slots.Dispose();

    private async Task RunSessionAsync(string sessionKey, SessionState state)
    {
        await slots.WaitAsync();
        try
        {
            while (true)
            {
                AmqpDelivery? next;
                lock (gate)
                {
                    if (stopping || !state.Pending.TryDequeue(out next))
                    {
                        state.Running = false;
                        if (state.Pending.Count == 0 && state.AwaitedMessageId is null)
                        {
                            sessions.Remove(sessionKey);
                        }

                        return;
                    }
                }

                var handled = await handle(next);
                if (handled.AwaitRedelivery && rewindOnAbandon)
                {
                    lock (gate)
                    {
                        state.AwaitedMessageId = next.Message.Properties?.MessageId;
                        state.AwaitingSince = time.GetUtcNow();
                        LogRewound(logger, sessionKey, state.Pending.Count);
                        while (state.Pending.TryDequeue(out var held))
                        {
                            release(held);
                        }
                    }
                }
            }
        }
        catch (Exception exception)
        {
            LogSessionFailed(logger, exception, sessionKey);
            lock (gate)
            {
                state.Running = false;
            }
        }
        finally
        {
            slots.Release();
        }
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Debug, Message = "Session {Session} rewound after an abandon; {Held} held messages released in order")]
    private static partial void LogRewound(ILogger logger, string session, int held);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Error, Message = "Dispatching session {Session} failed")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string session);

    private sealed class SessionState
    {
        public Queue<AmqpDelivery> Pending { get; } = new();

        public bool Running { get; set; }

        public string? AwaitedMessageId { get; set; }

        public DateTimeOffset AwaitingSince { get; set; }
    }
}

/// <summary>What became of a delivery: whether the broker will deliver it again (it was abandoned with deliveries left).</summary>
internal readonly record struct HandledDelivery(bool AwaitRedelivery);
