namespace Retail.Messaging.InMemory;

/// <summary>One queue: ordered messages, peek-lock with delivery counts, session locks, and its dead-letter queue.</summary>
internal sealed class InMemoryEntity(string name, int maxDeliveryCount, InMemoryEntity? deadLetterQueue)
{
    private readonly Lock gate = new();
    private readonly LinkedList<Entry> entries = new();
    private readonly HashSet<string> lockedSessions = new(StringComparer.Ordinal);
    private TaskCompletionSource changed = NewSignal();
    private long sequence;

    public string Name { get; } = name;

    public InMemoryEntity? DeadLetterQueue { get; } = deadLetterQueue;

    public void Enqueue(TransportMessage message, int deliveryCount = 0)
    {
        lock (gate)
        {
            entries.AddLast(new Entry(message, ++sequence) { DeliveryCount = deliveryCount });
            SignalLocked();
        }
    }

    public IReadOnlyList<Entry> Snapshot()
    {
        lock (gate)
        {
            return [.. entries];
        }
    }

    /// <summary>Locks the next available session (its key), or returns null and a task that completes when something changes.</summary>
    public string? TryLockNextSession(out Task whenChanged)
    {
        lock (gate)
        {
            foreach (var entry in entries)
            {
                if (!entry.Locked && lockedSessions.Add(entry.SessionKey))
                {
                    whenChanged = Task.CompletedTask;
                    return entry.SessionKey;
                }
            }

            whenChanged = changed.Task;
            return null;
        }
    }

    public void UnlockSession(string sessionKey)
    {
        lock (gate)
        {
            lockedSessions.Remove(sessionKey);
            SignalLocked();
        }
    }

    /// <summary>Locks the next message: of one session when <paramref name="sessionKey"/> is given (in order), else of any unlocked session.</summary>
    public Entry? TryLockNextMessage(string? sessionKey, out Task whenChanged)
    {
        lock (gate)
        {
            foreach (var entry in entries)
            {
                if (sessionKey is not null && entry.SessionKey != sessionKey)
                {
                    continue;
                }

                if (entry.Locked)
                {
                    if (sessionKey is not null)
                    {
                        break;
                    }

                    continue;
                }

                if (sessionKey is null && lockedSessions.Contains(entry.SessionKey))
                {
                    continue;
                }

                entry.Locked = true;
                entry.DeliveryCount++;
                whenChanged = Task.CompletedTask;
                return entry;
            }

            whenChanged = changed.Task;
            return null;
        }
    }

    public void Complete(Entry entry)
    {
        lock (gate)
        {
            entries.Remove(entry);
            SignalLocked();
        }
    }

    public void Abandon(Entry entry)
    {
        if (entry.DeliveryCount >= maxDeliveryCount && DeadLetterQueue is not null)
        {
            DeadLetter(entry, Messaging.DeadLetter.MaxDeliveryCountExceeded, $"Message could not be consumed after {maxDeliveryCount} delivery attempts.");
            return;
        }

        lock (gate)
        {
            entry.Locked = false;
            SignalLocked();
        }
    }

    public void DeadLetter(Entry entry, string reason, string description)
    {
        if (DeadLetterQueue is null)
        {
            throw new InvalidOperationException($"'{Name}' is a dead-letter queue; its messages cannot be dead-lettered again.");
        }

        var properties = new Dictionary<string, string>(entry.Message.ApplicationProperties, StringComparer.Ordinal)
        {
            [Messaging.DeadLetter.ReasonProperty] = reason,
            [Messaging.DeadLetter.DescriptionProperty] = description,
        };
        lock (gate)
        {
            entries.Remove(entry);
            SignalLocked();
        }

        DeadLetterQueue.Enqueue(entry.Message with { ApplicationProperties = properties }, entry.DeliveryCount);
    }

    private void SignalLocked()
    {
        var previous = changed;
        changed = NewSignal();
        previous.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal sealed class Entry(TransportMessage message, long sequence)
    {
        public TransportMessage Message { get; } = message;

        public long Sequence { get; } = sequence;

        /// <summary>Messages without a session are each their own session.</summary>
        public string SessionKey { get; } = message.SessionId ?? "\0" + message.MessageId + "\0" + sequence;

        public int DeliveryCount { get; set; }

        public bool Locked { get; set; }
    }
}
