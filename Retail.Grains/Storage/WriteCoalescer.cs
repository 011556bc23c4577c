using System.Diagnostics.CodeAnalysis;

namespace Retail.Grains.Storage;

/// <summary>
/// Group commit for a busy grain. Each request changes the state in memory and then awaits
/// <see cref="FlushAsync"/>; one write persists every change made since the previous write began, and each
/// request is acknowledged only when a write that started after its change has completed. While a write is
/// in flight, arriving requests queue for the next one, so N concurrent requests cost a handful of writes.
/// </summary>
/// <remarks>
/// <para>
/// Apply the change and call <see cref="FlushAsync"/> in the same turn (no await in between): the change must
/// be in memory before the write it waits for starts. The first call starts the write synchronously, so a write
/// callback that copies the state before its first await copies the caller's change with it.
/// </para>
/// <para>
/// A request that changed nothing but answered from memory (a duplicate, a rejection, a read) awaits
/// <see cref="WaitForPendingAsync"/> instead: it may have seen changes that are not durable yet, and must not be
/// acknowledged before them.
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
internal sealed class WriteCoalescer
{
    private readonly Func<Task> _write;
    private readonly Func<Exception, Task>? _restore;
    private readonly Lock _gate = new();
    private TaskCompletionSource? _writing;
    private TaskCompletionSource? _next;
    private long _writeCount;

    /// <param name="write">Persists the whole current state, e.g. <c>() =&gt; state.WriteStateAsync()</c>.</param>
    /// <param name="restore">
    /// Called after a failed write, before the waiters fail, to bring the in-memory state back to what is
    /// durable, e.g. <c>_ =&gt; state.ReadStateAsync()</c>. When it throws too, waiters get both exceptions.
    /// </param>
    public WriteCoalescer(Func<Task> write, Func<Exception, Task>? restore = null)
    {
        ArgumentNullException.ThrowIfNull(write);
        _write = write;
        _restore = restore;
    }

    /// <summary>How many writes have started.</summary>
    public long WriteCount => Interlocked.Read(ref _writeCount);

    /// <summary>True while a write (or the restore after a failed one) is under way.</summary>
    public bool IsWriting
    {
        get
        {
            lock (_gate)
            {
                return _writing is not null;
            }
        }
    }

    /// <summary>
    /// Completes when a write that started after this call has made the caller's change durable; faults with
    /// the write's exception when that write (or the one before, whose failure discarded the change) failed.
    /// </summary>
    public Task FlushAsync()
    {
        TaskCompletionSource batch;
        bool start;
        lock (_gate)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            batch = _next;
            start = _writing is null;
            if (start)
            {
                _writing = batch;
                _next = null;
            }
        }

        if (start)
        {
            _ = WriteBatchesAsync(batch);
        }

        return batch.Task;
    }

    /// <summary>
    /// Completes when every change flushed before this call is durable, without asking for a write of its own: at
    /// once when nothing is queued or being written. Faults when a write whose changes the caller may have seen failed.
    /// </summary>
    public Task WaitForPendingAsync()
    {
        lock (_gate)
        {
            return (_next ?? _writing)?.Task ?? Task.CompletedTask;
        }
    }

    private async Task WriteBatchesAsync(TaskCompletionSource batch)
    {
        while (true)
        {
            Interlocked.Increment(ref _writeCount);
            var failure = await TryAsync(_write);
            if (failure is not null)
            {
                if (_restore is not null && await TryAsync(() => _restore(failure)) is { } restoreFailure)
                {
                    failure = new AggregateException("The write failed and restoring the state failed too.", failure, restoreFailure);
                }

                TaskCompletionSource? discarded;
                lock (_gate)
                {
                    discarded = _next;
                    _next = null;
                    _writing = null;
                }

                batch.SetException(failure);
                discarded?.SetException(failure);
                return;
            }

            TaskCompletionSource? following;
            lock (_gate)
            {
                following = _writing = _next;
                _next = null;
            }

            batch.SetResult();
            if (following is null)
            {
                return;
            }

            batch = following;
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
