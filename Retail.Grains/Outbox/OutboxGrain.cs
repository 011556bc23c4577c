using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Retail.Contracts.Erp;
using Retail.Grains.Telemetry;
using Retail.Messaging;

namespace Retail.Grains.Outbox;

/// <summary>
/// A grain whose state carries an outbox. <see cref="SaveAsync"/> writes the change and the messages it raised
/// in one state write, then hands the messages to the broker in order. A message leaves the outbox only once the
/// broker accepted it; while the broker fails, a timer retries with backoff and a reminder makes sure the retry
/// survives the grain's deactivation or its silo's failure. Delivery is at least once; ids are deterministic, so a
/// resend after a crash is recognisable as the same message.
/// </summary>
/// <remarks>
/// Only messages that a completed write holds are delivered: the outbox's head up to the last message the latest
/// write contained. A message added to memory meanwhile (by an interleaved request of a reentrant grain) waits for
/// the write that holds it, so no event ever describes a change that a failed write then discards. Grains that take
/// many concurrent changes persist through the group commit (<see cref="SaveInGroupAsync"/>) instead.
/// </remarks>
public abstract partial class OutboxGrain<TState> : Grain, IRemindable
    where TState : class, IHasOutbox, new()
{
    private const string RetryReminderName = "outbox-retry";
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly IPersistentState<TState> _state;
    private readonly IMessagePublisher _publisher;
    private readonly ILogger _logger;
    private readonly OutboxTelemetry _telemetry = new();
    private Task? _delivery;
    private IGrainTimer? _retryTimer;
    private bool _retryReminderRegistered;
    private int _consecutiveFailures;
    /// <summary>The live state while a copy of it is being written (the storage's state is the copy then).</summary>
    private TState? _live;
    /// <summary>How many messages at the head of the outbox a completed write holds: only these may leave.</summary>
    private int _deliverable;
    /// <summary>Messages this activation handed to the broker, and how many of them had left when the last write began.</summary>
    private long _delivered;
    private long _deliveredBeforeLastWrite;
    /// <summary>The etag of the state this activation last read or wrote.</summary>
    private string? _knownETag;

    protected OutboxGrain(IPersistentState<TState> state, IMessagePublisher publisher, ILogger logger)
    {
        _state = state;
        _publisher = publisher;
        _logger = logger;
    }

    protected TState State => _live ?? _state.State;

    /// <summary>True once the state was written at least once.</summary>
    protected bool StateExists => _state.RecordExists;

    /// <summary>Messages waiting for the broker (for tests and diagnostics).</summary>
    protected int UndeliveredCount => State.Outbox.Pending.Count;

    /// <summary>
    /// Writes the state durably, then delivers the outbox. When the write fails (another activation wrote first),
    /// this activation's memory is stale: it deactivates and the caller sees the failure. For grains that change one
    /// request at a time; a grain built for the group commit uses <see cref="SaveInGroupAsync"/>.
    /// </summary>
    protected async Task SaveAsync()
    {
        if (_coalescer is not null)
        {
            throw new InvalidOperationException("This grain persists through the group commit: call SaveInGroupAsync.");
        }
        await WriteAsync(State);
        _telemetry.Backlog(State.Outbox.Pending.Count);
        if (_retryTimer is null)
        {
            await DeliverAsync();
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        _knownETag = _state.Etag;
        _deliverable = State.Outbox.Pending.Count;
        _telemetry.Backlog(State.Outbox.Pending.Count);
        if (State.Outbox.Pending.Count > 0)
        {
            await DeliverAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Trims what was delivered since the last write, unless memory may hold changes that are not durable.
        if (_delivered != _deliveredBeforeLastWrite && !_stale && _coalescer?.IsWriting != true)
        {
            try
            {
                await WriteAsync(_copier is null ? State : _copier.Copy(State));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogOutboxTrimFailed(_logger, exception, this.GetPrimaryKeyString());
            }
        }
        _telemetry.Backlog(0);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="written"/>: the live state, or a copy of it taken in the current turn. Afterwards the
    /// messages that write holds may leave; one added to the live state after the copy waits for the next write.
    /// </summary>
    private async Task WriteAsync(TState written)
    {
        var live = State;
        var held = written.Outbox.Pending.Count;
        var deliveredBefore = _delivered;
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
        // Whatever was delivered while the write ran came off the head of what the write holds.
        _deliverable = held - (int)(_delivered - deliveredBefore);
        _deliveredBeforeLastWrite = deliveredBefore;
        _knownETag = _state.Etag;
    }

    /// <summary>Reads the stored state back, discarding every change memory holds beyond it. All of it is durable.</summary>
    private async Task ReloadAsync()
    {
        await _state.ReadStateAsync();
        var pending = State.Outbox.Pending;
        if (_state.Etag == _knownETag)
        {
            // What this activation wrote last: the messages delivered since that write began are still at its head.
            pending.RemoveRange(0, (int)Math.Min(_delivered - _deliveredBeforeLastWrite, pending.Count));
        }
        _knownETag = _state.Etag;
        _deliverable = pending.Count;
        _telemetry.Backlog(pending.Count);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == RetryReminderName)
        {
            _retryReminderRegistered = true;
            await DeliverAsync();
            return;
        }
        await OnReminderAsync(reminderName, status);
    }

    /// <summary>A reminder other than the outbox's own fired.</summary>
    protected virtual Task OnReminderAsync(string reminderName, TickStatus status) => Task.CompletedTask;

    private Task DeliverAsync()
    {
        if (_delivery is not null)
        {
            return _delivery;
        }
        var delivery = DeliverPendingAsync();
        // A delivery that finished synchronously has already cleared _delivery; keeping it would stop every later one.
        if (!delivery.IsCompleted)
        {
            _delivery = delivery;
        }
        return delivery;
    }

    private async Task DeliverPendingAsync()
    {
        try
        {
            while (_deliverable > 0)
            {
                var message = State.Outbox.Pending[0];
                using var activity = OutboxTelemetry.StartDelivery(message);
                try
                {
                    await _publisher.PublishAsync(message.Entity, ToTransportMessage(message));
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    LogDeliveryFailed(_logger, exception, message.MessageId, message.Entity);
                    await ScheduleRetryAsync();
                    return;
                }
                // A reload while the message was out (after a failed write) replaced the outbox: the message is at its
                // head again unless another activation's write was read; then it goes again (delivery is at least once).
                var pending = State.Outbox.Pending;
                if (pending.Count > 0 && pending[0].MessageId == message.MessageId)
                {
                    pending.RemoveAt(0);
                    _deliverable--;
                    _delivered++;
                }
                _telemetry.Backlog(pending.Count);
            }
            await StopRetryingAsync();
        }
        finally
        {
            _delivery = null;
        }
    }

    private async Task ScheduleRetryAsync()
    {
        _consecutiveFailures++;
        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(_consecutiveFailures, 10))));
        _retryTimer?.Dispose();
        _retryTimer = this.RegisterGrainTimer(RetryAsync, new GrainTimerCreationOptions
        {
            DueTime = delay,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
        if (!_retryReminderRegistered)
        {
            await UpdateRetryReminderAsync(register: true);
        }
    }

    private async Task RetryAsync(CancellationToken cancellationToken)
    {
        _retryTimer?.Dispose();
        _retryTimer = null;
        await DeliverAsync();
    }

    private async Task StopRetryingAsync()
    {
        _consecutiveFailures = 0;
        _retryTimer?.Dispose();
        _retryTimer = null;
        if (_retryReminderRegistered)
        {
            await UpdateRetryReminderAsync(register: false);
        }
    }

    /// <summary>Delivery runs in the background of a group commit, so it never throws: a failed update is tried again next time.</summary>
    private async Task UpdateRetryReminderAsync(bool register)
    {
        try
        {
            if (register)
            {
                await this.RegisterOrUpdateReminder(RetryReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            }
            else if (await this.GetReminder(RetryReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
            _retryReminderRegistered = register;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogRetryReminderFailed(_logger, exception, this.GetPrimaryKeyString());
        }
    }

    private static TransportMessage ToTransportMessage(OutboxMessage message)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { [MessageProperties.MessageType] = message.Type };
        if (message.CorrelationId is not null)
        {
            properties[MessageProperties.CorrelationId] = message.CorrelationId;
        }
        if (message.TraceParent is not null)
        {
            properties[MessageProperties.TraceParent] = message.TraceParent;
        }
        return new TransportMessage
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            SessionId = message.SessionId,
            Subject = message.Type,
            ContentType = message.Entity == Entities.RetailEvents ? "application/cloudevents+json" : "application/json",
            ApplicationProperties = properties,
            Body = Encoding.UTF8.GetBytes(message.Body),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox delivery of {MessageId} to {Entity} failed; retrying")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string messageId, string entity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the outbox retry reminder of {GrainKey} failed; the timer still retries while the grain is active")]
    private static partial void LogRetryReminderFailed(ILogger logger, Exception exception, string grainKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not persist the delivered outbox of {GrainKey} on deactivation; its messages will be sent again")]
    private static partial void LogOutboxTrimFailed(ILogger logger, Exception exception, string grainKey);
}
