using System.Diagnostics.CodeAnalysis;

namespace Retail.Postgres.Coalescing;

/// <summary>
/// Group commit for a busy grain. Each request changes the state in memory and then awaits
/// <see cref="FlushAsync"/>; one write persists every change made since the previous write began, and each
/// request is acknowledged only when a write that started after its change has completed. While a write is
/// in flight, arriving requests queue for the next one, so N concurrent requests cost a handful of writes.
/// </summary>
/// <remarks>
/// <para>
/// Apply the change and call <see cref="FlushAsync"/> in the same turn (no await in between): the change must
/// be in memory before the write it waits for starts.
/// </para>
/// <para>
/// When a write fails, the in-memory state holds changes that are not durable. The coalescer then calls the
/// restore callback (typically: reload the state from storage) and fails every waiter whose change the
/// restore discards: those of the failed write and those queued behind it. Later requests start afresh. A
/// failed acknowledgement means "not known to be durable": callers retry, and idempotent operations make
/// the retry safe.
/// </para>
/// <para>The class has no storage dependency and is safe to use from a grain's scheduler or from any thread.</para>
/// </remarks>
public sealed class WriteCoalescer
{
    private readonly Func<Task> write;
    private readonly Func<Exception, Task>? restore;
    private readonly Lock gate = new();
    private TaskCompletionSource? nextBatch;
    private bool running;
    private long writeCount;

    /// <param name="write">Persists the whole current state, e.g. <c>() =&gt; state.WriteStateAsync()</c>.</param>
    /// <param name="restore">
    /// Called after a failed write, before the waiters fail, to bring the in-memory state back to what is
    /// durable, e.g. <c>_ =&gt; state.ReadStateAsync()</c>. When it throws too, waiters get both exceptions.
    /// </param>
    public WriteCoalescer(Func<Task> write, Func<Exception, Task>? restore = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        this.write = write;
        this.restore = restore;
    }

    /// <summary>How many writes have started.</summary>
    public long WriteCount => Interlocked.Read(ref writeCount);

    /// <summary>
    /// Completes when a write that started after this call has made the caller's change durable; faults with
    /// the write's exception when that write (or the one before, whose failure discarded the change) failed.
    /// </summary>
    public Task FlushAsync()
    {
        TaskCompletionSource batch;
        bool start;
        lock (gate)
        {
            nextBatch ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            batch = nextBatch;
            start = !running;
            running = true;
        }

        if (start)
        {
            _ = WriteBatchesAsync();
        }

        return batch.Task;
    }

    private async Task WriteBatchesAsync()
    {
        while (true)
        {
            TaskCompletionSource batch;
            lock (gate)
            {
                if (nextBatch is null)
                {
                    running = false;
                    return;
                }

                batch = nextBatch;
                nextBatch = null;
            }

            Interlocked.Increment(ref writeCount);
            var failure = await TryAsync(write);
            if (failure is null)
            {
                batch.SetResult();
                continue;
            }

            if (restore is not null && await TryAsync(() => restore(failure)) is { } restoreFailure)
            {
                failure = new AggregateException("The write failed and restoring the state failed too.", failure, restoreFailure);
            }

            TaskCompletionSource? discarded;
            lock (gate)
            {
                discarded = nextBatch;
                nextBatch = null;
            }

            batch.SetException(failure);
            discarded?.SetException(failure);
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "Every failure of the write belongs to its waiters, whatever its type.")]
    private static async Task<Exception?> TryAsync(Func<Task> action)
    {
        try
        {
            await action();
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }
}
