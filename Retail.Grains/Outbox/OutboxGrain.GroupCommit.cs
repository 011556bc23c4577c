using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Retail.Grains.Storage;

namespace Retail.Grains.Outbox;

/// <summary>
/// The group commit of an outbox grain that takes many concurrent changes (a <c>[Reentrant]</c> grain). Each request
/// applies its change to the live state and calls <see cref="SaveInGroupAsync"/> in the same turn; one write persists
/// every change applied since the previous write began, and each request is acknowledged only once a write holding
/// its change completed (<see cref="WriteCoalescer"/>).
/// </summary>
/// <remarks>
/// <para>
/// Each write stores a copy of the state taken in one turn, so requests that interleave with the write change the live
/// state, never the object the storage is serialising, whatever the storage provider does after its first await.
/// After the write, <see cref="OnGroupWrittenAsync"/> runs with the copy before the write's callers are acknowledged,
/// and the effects the copy holds are delivered in the background by the relay: callers never wait for them.
/// </para>
/// <para>
/// A failed write reloads the state from storage, which discards every change that is not durable, and fails every
/// caller whose change it discarded; they retry. When the reload fails too, memory is stale: every later request fails
/// (each later write first tries the reload again) and the activation deactivates.
/// </para>
/// </remarks>
public abstract partial class OutboxGrain<TState>
{
    private readonly DeepCopier<TState>? _copier;
    private readonly WriteCoalescer? _coalescer;
    private bool _stale;

    /// <summary>An outbox grain that persists through the group commit.</summary>
    /// <param name="state">The persistent state.</param>
    /// <param name="outbox">The relay that delivers the outbox, and its index.</param>
    /// <param name="logger">The grain's logger.</param>
    /// <param name="copier">Copies the state for each write.</param>
    protected OutboxGrain(IPersistentState<TState> state, OutboxServices outbox, ILogger logger, DeepCopier<TState> copier)
        : this(state, outbox, logger)
    {
        ArgumentNullException.ThrowIfNull(copier);
        _copier = copier;
        _coalescer = new WriteCoalescer(WriteGroupAsync, RestoreAsync);
    }

    private WriteCoalescer GroupCommit =>
        _coalescer ?? throw new InvalidOperationException("This grain writes one change at a time: call SaveAsync.");

    /// <summary>
    /// Completes once a write that holds the change the caller applied in this turn (no await before this call) is
    /// durable; faults when that write failed, after the state was reloaded without the change.
    /// </summary>
    protected Task SaveInGroupAsync() => GroupCommit.FlushAsync();

    /// <summary>
    /// For a request that changed nothing but answered from memory (a duplicate, a rejection, a read): completes once
    /// every change it may have seen is durable, at once when none is pending; faults when such a change was discarded.
    /// </summary>
    protected Task WhenSavedAsync() =>
        _stale ? Task.FromException(StaleStateException()) : GroupCommit.WaitForPendingAsync();

    /// <summary>
    /// Runs after each group write with the state it stored (e.g. to report what is now durable), before that write's
    /// callers are acknowledged and the next write begins. Keep it brief and bounded: while it waits, requests keep
    /// applying changes that will become durable even if their callers give up waiting. Exceptions are logged: the
    /// write itself succeeded.
    /// </summary>
    protected virtual Task OnGroupWrittenAsync(TState written) => Task.CompletedTask;

    /// <summary>Runs after the state was reloaded from storage following a failed group write.</summary>
    protected virtual void OnReloaded()
    {
    }

    private async Task WriteGroupAsync()
    {
        if (_stale)
        {
            throw StaleStateException();
        }
        var written = _copier!.Copy(State);
        await WriteAsync(written);
        try
        {
            await OnGroupWrittenAsync(written);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogAfterWriteFailed(_logger, exception, this.GetPrimaryKeyString());
        }
    }

    private async Task RestoreAsync(Exception failure)
    {
        LogGroupWriteFailed(_logger, failure, this.GetPrimaryKeyString());
        try
        {
            await ReloadAsync();
            OnReloaded();
            _stale = false;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _stale = true;
            LogReloadFailed(_logger, exception, this.GetPrimaryKeyString());
            DeactivateOnIdle();
        }
    }

    private InvalidOperationException StaleStateException() =>
        new($"The state of {this.GetPrimaryKeyString()} could not be reloaded after a failed write; this activation is being replaced, retry.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {GrainKey} failed; its pending changes are discarded and their requests fail")]
    private static partial void LogGroupWriteFailed(ILogger logger, Exception exception, string grainKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reloading {GrainKey} after a failed write failed; deactivating")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception, string grainKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The step after a durable write of {GrainKey} failed")]
    private static partial void LogAfterWriteFailed(ILogger logger, Exception exception, string grainKey);
}
