using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Retail.Contracts.Outbox;

namespace Retail.Grains.Outbox;

/// <summary>
/// A grain whose state carries an outbox: every effect of a change (an event, an ERP message, an exception raise or
/// resolve, a notice to another grain) is appended to <see cref="IHasOutbox.Outbox"/> and written with the change in one
/// state write. <see cref="SaveAsync"/> returns once that write is durable; the silo's <see cref="OutboxRelay"/> then
/// delivers the effects in the background, in order per destination, at least once, with their deterministic ids. No
/// request ever waits for a broker or another grain to take an effect.
/// </summary>
/// <remarks>
/// <para>
/// Only effects a completed write holds leave: one added to memory meanwhile (by an interleaved request of a reentrant
/// grain) waits for the write that holds it, so no effect describes a change that a failed write then discards.
/// </para>
/// <para>
/// The write flags the grain in the relay's index (<see cref="IPendingOutboxIndex"/>) when it holds effects; once all of
/// them are delivered the flag is cleared for exactly that version, without another state write. Delivered effects leave
/// the stored state with the grain's next write (or on deactivation). After a silo failure the relay's scan finds the
/// flagged grains and wakes them; an activation delivers its stored effects unless the index says they already left.
/// </para>
/// </remarks>
public abstract partial class OutboxGrain<TState> : Grain, IRemindable, IOutboxGrain, IDisposable
    where TState : class, IHasOutbox, new()
{
    /// <summary>The reminder of the retry mechanism this relay replaced; unregistered when it fires.</summary>
    private const string RetiredRetryReminderName = "outbox-retry";
    private static readonly TimeSpan KeepAlivePeriod = TimeSpan.FromMinutes(1);

    private readonly IPersistentState<TState> _state;
    private readonly OutboxRelay _relay;
    private readonly IPendingOutboxIndex _index;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    /// <summary>Ids of effects that a completed write holds: only these may leave.</summary>
    private readonly HashSet<string> _durable = new(StringComparer.Ordinal);
    /// <summary>Ids of effects delivered whose removal no completed write holds yet.</summary>
    private readonly HashSet<string> _deliveredUnsaved = new(StringComparer.Ordinal);
    private readonly HashSet<string> _draining = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reportedBacklog = new(StringComparer.Ordinal);
    private IGrainTimer? _keepAlive;
    /// <summary>The live state while a copy of it is being written (the storage's state is the copy then).</summary>
    private TState? _live;
    /// <summary>The etag of the state this activation last read or wrote.</summary>
    private string? _knownETag;
    /// <summary>The last completed write held effects and the index has not been told they all left.</summary>
    private bool _markPending;

    protected OutboxGrain(IPersistentState<TState> state, OutboxServices outbox, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        _state = state;
        _relay = outbox.Relay;
        _index = outbox.Index;
        _logger = logger;
    }

    protected TState State => _live ?? _state.State;

    /// <summary>True once the state was written at least once.</summary>
    protected bool StateExists => _state.RecordExists;

    /// <summary>
    /// Writes the state durably with the effects it raised; their delivery follows in the background. When the write
    /// fails (another activation wrote first), this activation's memory is stale: it deactivates and the caller sees the
    /// failure. For grains that change one request at a time; a grain built for the group commit uses
    /// <see cref="SaveInGroupAsync"/>.
    /// </summary>
    protected Task SaveAsync()
    {
        if (_coalescer is not null)
        {
            throw new InvalidOperationException("This grain persists through the group commit: call SaveInGroupAsync.");
        }
        return WriteAsync(State);
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        _knownETag = _state.Etag;
        var pending = State.Outbox.Pending;
        if (pending.Count == 0 || _knownETag is null)
        {
            return;
        }
        if (await _index.IsPendingAsync(this.GetGrainId(), _knownETag))
        {
            _durable.UnionWith(pending.Select(m => m.MessageId));
            _markPending = true;
            ReportBacklog();
            StartDrains();
        }
        else
        {
            // Delivered by an earlier activation, which marked them: the next write drops them from storage too.
            pending.Clear();
        }
    }

    /// <summary>Drains are started by activation and every write; a wake-up by the relay only makes sure of it.</summary>
    public Task DrainAsync()
    {
        StartDrains();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        // Trims what was delivered since the last write, unless memory may hold changes that are not durable.
        if (_deliveredUnsaved.Count > 0 && !_stale && _coalescer?.IsWriting != true && State.Outbox.Pending.Count > 0)
        {
            try
            {
                await WriteAsync(_copier is null ? State : _copier.Copy(State), drain: false);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogOutboxTrimFailed(_logger, exception, this.GetPrimaryKeyString());
            }
        }
        foreach (var (destination, count) in _reportedBacklog)
        {
            _relay.BacklogChanged(destination, -count);
        }
        _reportedBacklog.Clear();
        _keepAlive?.Dispose();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="written"/>: the live state, or a copy of it taken in the current turn. Afterwards the
    /// effects that write holds may leave; one added to the live state after the copy waits for the next write.
    /// </summary>
    private async Task WriteAsync(TState written, bool drain = true)
    {
        var live = State;
        var held = written.Outbox.Pending.Select(m => m.MessageId).ToHashSet(StringComparer.Ordinal);
        _live = live;
        _state.State = written;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            DeactivateOnIdle();
            throw;
        }
        finally
        {
            _state.State = live;
            _live = null;
        }
        _knownETag = _state.Etag;
        _markPending = held.Count > 0;
        _index.Written(this.GetGrainId(), _knownETag, _markPending);
        // Delivered before the copy was taken: gone from storage now. Delivered while it ran: still stored.
        _deliveredUnsaved.IntersectWith(held);
        _durable.UnionWith(held);
        _durable.IntersectWith(live.Outbox.Pending.Select(m => m.MessageId));
        ReportBacklog();
        if (drain)
        {
            StartDrains();
            // Everything this write holds may have left while it ran: then nothing else marks it.
            _ = MarkDeliveredIfDoneAsync();
        }
    }

    /// <summary>Reads the stored state back, discarding every change memory holds beyond it. All of it is durable.</summary>
    private async Task ReloadAsync()
    {
        await _state.ReadStateAsync();
        var pending = State.Outbox.Pending;
        if (_state.Etag == _knownETag)
        {
            pending.RemoveAll(m => _deliveredUnsaved.Contains(m.MessageId));
        }
        else
        {
            _deliveredUnsaved.Clear();
        }
        _knownETag = _state.Etag;
        _durable.Clear();
        _durable.UnionWith(pending.Select(m => m.MessageId));
        ReportBacklog();
        StartDrains();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RetiredRetryReminderName)
        {
            if (await this.GetReminder(reminderName) is { } retired)
            {
                await this.UnregisterReminder(retired);
            }
            StartDrains();
            return;
        }
        await OnReminderAsync(reminderName, status);
    }

    /// <summary>
    /// The message as it leaves: the stored one, or one completed from the grain's state, for an effect that stores
    /// only what the state does not already hold (so a write does not repeat the state in its outbox).
    /// </summary>
    protected virtual OutboxMessage ForDelivery(OutboxMessage stored) => stored;

    /// <summary>A reminder of the grain's own fired.</summary>
    protected virtual Task OnReminderAsync(string reminderName, TickStatus status) => Task.CompletedTask;

    /// <summary>One background delivery loop per destination that has durable effects waiting and no loop yet.</summary>
    private void StartDrains()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        foreach (var destination in State.Outbox.Pending.Where(m => _durable.Contains(m.MessageId)).Select(m => m.Entity).Distinct(StringComparer.Ordinal).ToList())
        {
            if (_draining.Add(destination))
            {
                _ = DrainDestinationAsync(destination);
            }
        }
        if (_draining.Count > 0 && _keepAlive is null)
        {
            // Undelivered effects keep the activation (and its loops) alive until they are delivered.
            _keepAlive = this.RegisterGrainTimer(_ => Task.CompletedTask, new GrainTimerCreationOptions
            {
                DueTime = KeepAlivePeriod,
                Period = KeepAlivePeriod,
                KeepAlive = true,
                Interleave = true,
            });
        }
    }

    private async Task DrainDestinationAsync(string destination)
    {
        try
        {
            while (State.Outbox.Pending.FirstOrDefault(m => m.Entity == destination && _durable.Contains(m.MessageId)) is { } next)
            {
                await _relay.DeliverAsync(ForDelivery(next), _stopping.Token);
                // A reload while the effect was out may have replaced the outbox: remove it by id wherever it is.
                State.Outbox.Pending.RemoveAll(m => m.MessageId == next.MessageId);
                _durable.Remove(next.MessageId);
                _deliveredUnsaved.Add(next.MessageId);
                ReportBacklog();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogDrainFailed(_logger, exception, destination, this.GetPrimaryKeyString());
        }
        finally
        {
            _draining.Remove(destination);
        }
        if (_draining.Count == 0)
        {
            _keepAlive?.Dispose();
            _keepAlive = null;
        }
        await MarkDeliveredIfDoneAsync();
    }

    /// <summary>Once nothing a completed write holds is left, tells the index that write's effects all left.</summary>
    private async Task MarkDeliveredIfDoneAsync()
    {
        if (!_markPending || _knownETag is not { } etag || State.Outbox.Pending.Any(m => _durable.Contains(m.MessageId)))
        {
            return;
        }
        _markPending = false;
        try
        {
            await _index.MarkDeliveredAsync(this.GetGrainId(), etag);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The grain stays flagged: after a restart its delivered effects are sent again, with the same ids.
            LogMarkFailed(_logger, exception, this.GetPrimaryKeyString());
        }
    }

    /// <summary>Reports this activation's durable, undelivered effects per destination to the relay's backlog.</summary>
    private void ReportBacklog()
    {
        var counts = State.Outbox.Pending.Where(m => _durable.Contains(m.MessageId))
            .GroupBy(m => m.Entity, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var destination in counts.Keys.Union(_reportedBacklog.Keys, StringComparer.Ordinal).ToList())
        {
            var now = counts.GetValueOrDefault(destination);
            _relay.BacklogChanged(destination, now - _reportedBacklog.GetValueOrDefault(destination));
            if (now == 0)
            {
                _reportedBacklog.Remove(destination);
            }
            else
            {
                _reportedBacklog[destination] = now;
            }
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _keepAlive?.Dispose();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox delivery to {Destination} of {GrainKey} stopped; the relay's scan resumes it")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception, string destination, string grainKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not mark the outbox of {GrainKey} delivered; its effects may be sent again after a restart")]
    private static partial void LogMarkFailed(ILogger logger, Exception exception, string grainKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not persist the delivered outbox of {GrainKey} on deactivation; its effects will be sent again")]
    private static partial void LogOutboxTrimFailed(ILogger logger, Exception exception, string grainKey);
}

/// <summary>What every outbox grain is given: the silo's relay and its pending index.</summary>
public sealed record OutboxServices(OutboxRelay Relay, IPendingOutboxIndex Index);
