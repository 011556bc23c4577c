using Amqp;
using Microsoft.Extensions.Logging;

namespace Retail.Messaging.Amqp;

/// <summary>
/// Hands deliveries from one receiver link to handlers: one session's messages one at a time and in order, different
/// sessions in parallel.
/// <para>
/// Where the broker does not keep a session's order itself (RabbitMQ), an abandon rewinds the session: the abandoned
/// message and the session's later messages that this consumer holds are released in order, and so is every later
/// message of the session that arrives before they are back. The broker redelivers released messages first and in the
/// order they were released; an arrival ahead of its turn is parked until the ones before it are back. Nothing is held
/// that the broker could not replace, so credit never runs out waiting. A message that does not come back (its
/// deliveries used up, so dead-lettered) is given up after <see cref="RewindTimeout"/>.
/// </para>
/// </summary>
internal sealed partial class SessionDispatcher(
    int maxConcurrency,
    Func<AmqpDelivery, Task<HandledDelivery>> handle,
    Action<AmqpDelivery> release,
    bool rewindOnAbandon,
    int maxDeliveryCount,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    /// <summary>How long a rewound session waits for the next released message before it gives it up.</summary>
    public static readonly TimeSpan RewindTimeout = TimeSpan.FromSeconds(20);

    private readonly Lock gate = new();
    private readonly Dictionary<string, SessionState> sessions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim slots = new(maxConcurrency, maxConcurrency);
    private readonly List<Task> runners = [];
    private bool stopping;

    public void Post(string sessionKey, AmqpDelivery delivery)
    {
        lock (gate)
        {
            if (!sessions.TryGetValue(sessionKey, out var state))
            {
                state = new SessionState();
                sessions[sessionKey] = state;
            }

            if (state.Awaited.Count == 0)
            {
                state.Pending.AddLast(delivery);
            }
            else if (delivery.MessageId is { } id && state.Awaited.Contains(id))
            {
                state.Parked[id] = delivery;
                Promote(sessionKey, state);
                if (state.Parked.Count > 0)
                {
                    _ = PromoteWhenOverdueAsync(sessionKey, state);
                }
            }
            else if (stopping)
            {
                state.Tail.Add(delivery);
            }
            else
            {
                release(delivery);
                Await(state, delivery);
            }

            StartIfReady(sessionKey, state);
        }
    }

    /// <summary>Starts no more handlers (deliveries are only held from now on) and waits for the running ones.</summary>
    public Task StopAsync()
    {
        lock (gate)
        {
            stopping = true;
            return Task.WhenAll(runners);
        }
    }

    /// <summary>How many released messages the sessions still wait for and have not received back yet.</summary>
    public int OutstandingRewinds
    {
        get
        {
            lock (gate)
            {
                return sessions.Values.Sum(state => state.Awaited.Count(id => !state.Parked.ContainsKey(id)));
            }
        }
    }

    /// <summary>
    /// Forgets what came through a link that was lost: the broker puts its unsettled messages back in an order of its
    /// own and delivers them again, so nothing held from it can be handled or settled, and no rewind can be completed.
    /// </summary>
    public void Forget(ReceiverLink lost)
    {
        lock (gate)
        {
            foreach (var (sessionKey, state) in sessions.ToList())
            {
                RemoveAll(state.Pending, lost);
                state.Tail.RemoveAll(delivery => ReferenceEquals(delivery.Link, lost));
                state.Awaited.Clear();
                state.Parked.Clear();
                if (!state.Running && state.Pending.Count == 0 && state.Tail.Count == 0)
                {
                    sessions.Remove(sessionKey);
                }
            }
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until no session waits for released messages to come back.</summary>
    public async Task WaitForRewoundAsync(TimeSpan timeout)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (time.GetUtcNow() < deadline)
        {
            lock (gate)
            {
                if (sessions.Values.All(state => state.Awaited.Count == 0))
                {
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        }
    }

    /// <summary>
    /// Releases every held delivery, each session's in order, so that the broker puts them back in that order for the
    /// next consumer (closing the link would return them in whatever order the broker keeps them).
    /// </summary>
    public void ReleaseHeld()
    {
        lock (gate)
        {
            foreach (var state in sessions.Values)
            {
                foreach (var held in state.Pending.Concat(state.Awaited.Where(state.Parked.ContainsKey).Select(id => state.Parked[id])).Concat(state.Tail))
                {
                    release(held);
                }
            }

            sessions.Clear();
        }
    }

    public void Dispose() => slots.Dispose();

    /// <summary>A released message comes back to this consumer unless its deliveries are used up or its link is gone.</summary>
    private bool WillComeBack(AmqpDelivery delivery) =>
        delivery.DeliveryCount < maxDeliveryCount && delivery.MessageId is not null && !delivery.Link.IsClosed;

    private static void RemoveAll(LinkedList<AmqpDelivery> deliveries, ReceiverLink lost)
    {
        for (var node = deliveries.First; node is not null;)
        {
            var next = node.Next;
            if (ReferenceEquals(node.Value.Link, lost))
            {
                deliveries.Remove(node);
            }

            node = next;
        }
    }

    private void Await(SessionState state, AmqpDelivery released)
    {
        if (WillComeBack(released))
        {
            if (state.Awaited.Count == 0)
            {
                state.LastProgress = time.GetUtcNow();
            }

            state.Awaited.AddLast(released.MessageId!);
        }
    }

    /// <summary>Moves parked deliveries whose turn has come to the runnable queue; gives up a released message that is overdue.</summary>
    private void Promote(string sessionKey, SessionState state)
    {
        while (state.Awaited.First is { } head)
        {
            if (state.Parked.Remove(head.Value, out var arrived))
            {
                state.Awaited.RemoveFirst();
                state.Pending.AddLast(arrived);
                state.LastProgress = time.GetUtcNow();
            }
            else if (state.Parked.Count > 0 && time.GetUtcNow() - state.LastProgress > RewindTimeout)
            {
                LogGaveUp(logger, sessionKey, head.Value, RewindTimeout);
                state.Awaited.RemoveFirst();
                state.LastProgress = time.GetUtcNow();
            }
            else
            {
                return;
            }
        }

        foreach (var held in state.Tail)
        {
            state.Pending.AddLast(held);
        }

        state.Tail.Clear();
    }

    private async Task PromoteWhenOverdueAsync(string sessionKey, SessionState state)
    {
        await Task.Delay(RewindTimeout + TimeSpan.FromSeconds(1), time);
        lock (gate)
        {
            if (sessions.TryGetValue(sessionKey, out var current) && ReferenceEquals(current, state))
            {
                Promote(sessionKey, state);
                StartIfReady(sessionKey, state);
            }
        }
    }

    private void StartIfReady(string sessionKey, SessionState state)
    {
        if (state.Running || stopping || state.Pending.Count == 0)
        {
            return;
        }

        state.Running = true;
        if (runners.Count > 256)
        {
            runners.RemoveAll(task => task.IsCompleted);
        }

        runners.Add(Task.Run(() => RunSessionAsync(sessionKey, state)));
    }

    private async Task RunSessionAsync(string sessionKey, SessionState state)
    {
        await slots.WaitAsync();
        try
        {
            while (true)
            {
                AmqpDelivery next;
                lock (gate)
                {
                    if (stopping || state.Pending.First is not { } first)
                    {
                        state.Running = false;
                        if (state.Pending.Count == 0 && state.Awaited.Count == 0 && state.Tail.Count == 0)
                        {
                            sessions.Remove(sessionKey);
                        }

                        return;
                    }

                    next = first.Value;
                    state.Pending.RemoveFirst();
                }

                var handled = await handle(next);
                if (handled.Abandoned)
                {
                    Rewind(sessionKey, state, next);
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

    /// <summary>Releases the abandoned delivery (and, rewinding, the session's held ones after it) under the lock, so no arrival slips in between.</summary>
    private void Rewind(string sessionKey, SessionState state, AmqpDelivery abandoned)
    {
        lock (gate)
        {
            release(abandoned);
            if (!rewindOnAbandon || !WillComeBack(abandoned))
            {
                return;
            }

            var previouslyAwaited = state.Awaited.ToList();
            state.Awaited.Clear();
            Await(state, abandoned);
            foreach (var held in state.Pending)
            {
                release(held);
                Await(state, held);
            }

            state.Pending.Clear();
            foreach (var id in previouslyAwaited)
            {
                state.Awaited.AddLast(id);
            }

            LogRewound(logger, sessionKey, abandoned.MessageId, state.Awaited.Count);
            Promote(sessionKey, state);
        }
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Debug, Message = "Session {Session} rewound after message {MessageId} was abandoned; waiting for {Count} released messages")]
    private static partial void LogRewound(ILogger logger, string session, string? messageId, int count);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Error, Message = "Dispatching session {Session} failed")]
    private static partial void LogSessionFailed(ILogger logger, Exception exception, string session);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "Released message {MessageId} of session {Session} did not come back within {Timeout}; the session goes on without it")]
    private static partial void LogGaveUp(ILogger logger, string session, string messageId, TimeSpan timeout);

    private sealed class SessionState
    {
        /// <summary>In order and ready to handle.</summary>
        public LinkedList<AmqpDelivery> Pending { get; } = new();

        /// <summary>Released message ids, in the order the broker will deliver them again.</summary>
        public LinkedList<string> Awaited { get; } = new();

        /// <summary>Released messages that came back ahead of their turn.</summary>
        public Dictionary<string, AmqpDelivery> Parked { get; } = new(StringComparer.Ordinal);

        /// <summary>Later messages held (not released) while stopping.</summary>
        public List<AmqpDelivery> Tail { get; } = [];

        public bool Running { get; set; }

        public DateTimeOffset LastProgress { get; set; }
    }
}

/// <summary>A handled delivery: abandoned (and not yet settled), and if so whether the broker will deliver it again.</summary>
internal readonly record struct HandledDelivery(bool Abandoned, bool AwaitRedelivery);
