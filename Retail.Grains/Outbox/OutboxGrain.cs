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
    private bool _deliveredSinceWrite;
    private int _consecutiveFailures;

    protected OutboxGrain(IPersistentState<TState> state, IMessagePublisher publisher, ILogger logger)
    {
        _state = state;
        _publisher = publisher;
        _logger = logger;
    }

    protected TState State => _state.State;

    /// <summary>True once the state was written at least once.</summary>
    protected bool StateExists => _state.RecordExists;

    /// <summary>Messages waiting for the broker (for tests and diagnostics).</summary>
    protected int UndeliveredCount => State.Outbox.Pending.Count;

    /// <summary>
    /// Writes the state durably, then delivers the outbox. When the write fails (another activation wrote first),
    /// this activation's memory is stale: it deactivates and the caller sees the failure.
    /// </summary>
    protected async Task SaveAsync()
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            DeactivateOnIdle();
            throw;
        }
        _deliveredSinceWrite = false;
        _telemetry.Backlog(State.Outbox.Pending.Count);
        if (_retryTimer is null)
        {
            await DeliverAsync();
        }
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        _telemetry.Backlog(State.Outbox.Pending.Count);
        if (State.Outbox.Pending.Count > 0)
        {
            await DeliverAsync();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_deliveredSinceWrite)
        {
            try
            {
                await _state.WriteStateAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogOutboxTrimFailed(_logger, exception, this.GetPrimaryKeyString());
            }
        }
        _telemetry.Backlog(0);
        await base.OnDeactivateAsync(reason, cancellationToken);
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
            var pending = State.Outbox.Pending;
            while (pending.Count > 0)
            {
                var message = pending[0];
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
                pending.RemoveAt(0);
                _telemetry.Backlog(pending.Count);
                _deliveredSinceWrite = true;
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
            await this.RegisterOrUpdateReminder(RetryReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            _retryReminderRegistered = true;
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
            var reminder = await this.GetReminder(RetryReminderName);
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
            }
            _retryReminderRegistered = false;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not persist the delivered outbox of {GrainKey} on deactivation; its messages will be sent again")]
    private static partial void LogOutboxTrimFailed(ILogger logger, Exception exception, string grainKey);
}
