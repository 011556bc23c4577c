using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Retail.Contracts;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Grains.Inventory;
using Retail.Grains.Outbox;
using Retail.Grains.Telemetry;

namespace Retail.Grains.Exceptions;

[GenerateSerializer, Alias("Retail.ExceptionRegistryState")]
internal sealed class ExceptionRegistryState : IHasOutbox
{
    /// <summary>Every record, oldest first (the order of creation is the order of the list).</summary>
    [Id(0)] public List<ExceptionRecord> Records { get; set; } = [];
    /// <summary>The number in the id of the last record created.</summary>
    [Id(1)] public long LastNumber { get; set; }
    [Id(2)] public OutboxState Outbox { get; set; } = new();
}

/// <summary>
/// Every exception record. Ids are <c>{kind}-{n}</c> with n counting every record ever raised, so they are unique,
/// readable and in creation order. Raising is idempotent per kind and business key while a record is open: a repeat
/// counts an attempt and takes the new reason. Events <c>retail.exception.raised</c> and <c>.resolved</c> have the
/// record's id as subject; their sequence is the registry's, so it grows per subject with gaps.
/// </summary>
/// <remarks>
/// Retry: a record carrying a message (a dead letter) sends the original message again, with its original id, to its
/// original entity through the outbox, and stays open until someone resolves it or the message fails again and
/// raises it once more. An order's hold or failure asks the order to re-run the held step (the order resolves the
/// record itself when the step succeeds). Anything else, such as an inventory variance, has no step to re-run: a
/// retry is refused as an invalid transition, and the record is resolved once the count is checked.
/// <para>
/// The grain is reentrant so that a retry waiting for its order never blocks that order's own calls here (which
/// would deadlock the two). Each change is made in memory in one turn (no await between reading and changing the
/// records), then waits for a write that started after it: changes that arrive while a write is in flight share the
/// next one (group commit), so a burst of raises (a sold-out sale backordering every order) costs a few writes of the
/// registry rather than one each.
/// </para>
/// </remarks>
[Reentrant]
internal sealed partial class ExceptionRegistryGrain(
    [PersistentState("exceptions", StorageNames.Operations)] IPersistentState<ExceptionRegistryState> state,
    OutboxServices outbox,
    ILogger<ExceptionRegistryGrain> logger,
    TimeProvider timeProvider)
    : OutboxGrain<ExceptionRegistryState>(state, outbox, logger), IExceptionRegistryGrain
{
    private const int MaxLimit = 500;
    private const int MaxReasonLength = 2000;
    private static readonly TimeSpan ResolvedRetention = TimeSpan.FromDays(90);

    private static readonly HashSet<string> OrderKinds = new(StringComparer.Ordinal)
    {
        ExceptionKinds.PaymentTimeout, ExceptionKinds.PaymentFailed, ExceptionKinds.UnknownSku,
        ExceptionKinds.TotalsMismatch, ExceptionKinds.Backordered, ExceptionKinds.PostingRejected,
    };

    private readonly ILogger<ExceptionRegistryGrain> _logger = logger;
    private readonly TimeProvider _time = timeProvider;
    private TaskCompletionSource? _nextWrite;
    private bool _writing;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        RetailMetrics.ExceptionsChanged(State.Records);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        RetailMetrics.ExceptionsChanged(null);
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task<ExceptionRecord> RaiseAsync(ExceptionToRaise exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Validate(exception);
        var now = _time.GetUtcNow();
        var reason = Truncate(string.IsNullOrWhiteSpace(exception.Reason) ? exception.Kind : exception.Reason);

        var index = State.Records.FindIndex(r => r.Status == ExceptionStatus.Open && r.Kind == exception.Kind && r.BusinessKey == exception.BusinessKey);
        if (index >= 0)
        {
            var open = State.Records[index];
            var repeated = open with
            {
                Attempts = open.Attempts + 1,
                Reason = reason,
                UpdatedAt = now,
                Message = exception.Message ?? open.Message,
            };
            State.Records[index] = repeated;
            await PersistAsync();
            return repeated;
        }

        PruneResolved(now);
        var record = new ExceptionRecord
        {
            Id = $"{exception.Kind}-{++State.LastNumber}",
            Kind = exception.Kind,
            BusinessKey = exception.BusinessKey,
            Reason = reason,
            Attempts = 1,
            CreatedAt = now,
            UpdatedAt = now,
            Status = ExceptionStatus.Open,
            CorrelationId = OutboxWriter.CurrentCorrelationId(),
            Message = exception.Message,
        };
        State.Records.Add(record);
        Emit(EventTypes.ExceptionRaised, record, now);
        await PersistAsync();
        LogRaised(_logger, record.Id, record.Kind, record.BusinessKey, record.Reason);
        return record;
    }

    public Task<IReadOnlyList<ExceptionRecord>> ListAsync(ExceptionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new ValidationErrors();
        if (query.Limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"Must be between 1 and {MaxLimit}.");
        }
        var start = 0;
        if (query.After is { } after)
        {
            var position = State.Records.FindIndex(r => r.Id == after);
            if (position < 0)
            {
                errors.Add("after", $"No exception '{after}'.");
            }
            start = position + 1;
        }
        errors.ThrowIfAny();

        IReadOnlyList<ExceptionRecord> page = State.Records
            .Skip(start)
            .Where(r => query.Status is null || r.Status == query.Status)
            .Where(r => query.Kind is null || r.Kind == query.Kind)
            .Take(query.Limit)
            .ToList();
        return Task.FromResult(page);
    }

    public Task<ExceptionRecord?> GetAsync(string id) => Task.FromResult(State.Records.FirstOrDefault(r => r.Id == id));

    public async Task<ExceptionRecord> RetryAsync(string id)
    {
        var record = await CountRetryAsync(id);
        if (record.Message is null)
        {
            await GrainFactory.GetGrain<IOrderGrain>(record.BusinessKey).RetryAsync(record.Kind);
        }
        return Find(id);
    }

    /// <summary>Counts the attempt; a dead letter's message is sent again with the same write.</summary>
    private async Task<ExceptionRecord> CountRetryAsync(string id)
    {
        var record = Find(id);
        if (record.Status == ExceptionStatus.Resolved)
        {
            throw new RetailException(ProblemCodes.InvalidTransition, $"Exception {id} is resolved: there is nothing to retry.");
        }
        if (record.Message is null && !OrderKinds.Contains(record.Kind))
        {
            throw new RetailException(ProblemCodes.InvalidTransition,
                $"Exception {id} ({record.Kind}) has no step to re-run; check {record.BusinessKey} and resolve it.");
        }

        var now = _time.GetUtcNow();
        Replace(record with { Attempts = record.Attempts + 1, UpdatedAt = now });
        if (record.Message is { } message)
        {
            State.Outbox.AddRaw(new OutboxMessage
            {
                MessageId = message.MessageId,
                Entity = message.Entity,
                SessionId = message.SessionId,
                Type = message.MessageType ?? "",
                Body = message.Body,
                CorrelationId = message.CorrelationId,
                CreatedAt = now,
            });
            await PersistAsync();
            LogResubmitted(_logger, id, message.MessageId, message.Entity);
            return record;
        }
        await PersistAsync();
        return record;
    }

    public async Task<ExceptionRecord> ResolveAsync(string id, string resolution)
    {
        var record = Find(id);
        return record.Status == ExceptionStatus.Resolved ? record : await ResolveAsync(record, resolution);
    }

    public async Task ResolveForAsync(string kind, string businessKey, string resolution)
    {
        var record = State.Records.FirstOrDefault(r => r.Status == ExceptionStatus.Open && r.Kind == kind && r.BusinessKey == businessKey);
        if (record is not null)
        {
            await ResolveAsync(record, resolution);
        }
    }

    /// <summary>
    /// Completes when a write that started after the caller's change (made in memory in the same turn) is durable;
    /// faults when that write failed. One write at a time; whatever changed while it ran goes in the next.
    /// </summary>
    private Task PersistAsync()
    {
        var next = _nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writing)
        {
            _ = WriteInTurnsAsync();
        }
        return next.Task;
    }

    private async Task WriteInTurnsAsync()
    {
        _writing = true;
        try
        {
            while (_nextWrite is { } batch)
            {
                _nextWrite = null;
                try
                {
                    await SaveAsync();
                    batch.SetResult();
                }
                catch (Exception exception)
                {
                    batch.SetException(exception);
                }
                finally
                {
                    RetailMetrics.ExceptionsChanged(State.Records);
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task<ExceptionRecord> ResolveAsync(ExceptionRecord record, string resolution)
    {
        var now = _time.GetUtcNow();
        var resolved = record with
        {
            Status = ExceptionStatus.Resolved,
            Resolution = Truncate(string.IsNullOrWhiteSpace(resolution) ? "Resolved." : resolution),
            UpdatedAt = now,
        };
        Replace(resolved);
        Emit(EventTypes.ExceptionResolved, resolved, now);
        await PersistAsync();
        return resolved;
    }

    private ExceptionRecord Find(string id) =>
        State.Records.FirstOrDefault(r => r.Id == id)
        ?? throw new RetailException(ProblemCodes.ExceptionNotFound, $"No exception '{id}'.");

    private void Replace(ExceptionRecord record) => State.Records[State.Records.FindIndex(r => r.Id == record.Id)] = record;

    private void Emit(string type, ExceptionRecord record, DateTimeOffset now) =>
        State.Outbox.AddEvent(EventSources.Exceptions, type, record.Id, new ExceptionEventData
        {
            ExceptionId = record.Id,
            Kind = record.Kind,
            BusinessKey = record.BusinessKey,
            Reason = record.Reason,
            Attempts = record.Attempts,
            Resolution = record.Resolution,
        }, now);

    /// <summary>Resolved records leave the registry after <see cref="ResolvedRetention"/>; open ones stay until resolved.</summary>
    private void PruneResolved(DateTimeOffset now) =>
        State.Records.RemoveAll(r => r.Status == ExceptionStatus.Resolved && now - r.UpdatedAt > ResolvedRetention);

    private static void Validate(ExceptionToRaise exception)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(exception.Kind) || !CanonicalOrderValidator.IsValidId(exception.Kind))
        {
            errors.Add("kind", "Must be an exception kind: letters and digits.");
        }
        errors.RequireId("businessKey", exception.BusinessKey);
        if (exception.Message is { } message)
        {
            errors.RequireId("message.entity", message.Entity);
            errors.RequireId("message.messageId", message.MessageId);
            if (message.Body is null)
            {
                errors.Add("message.body", "Is required.");
            }
        }
        errors.ThrowIfAny();
    }

    private static string Truncate(string text) => text.Length <= MaxReasonLength ? text : text[..MaxReasonLength];

    [LoggerMessage(Level = LogLevel.Information, Message = "Exception {ExceptionId} raised: {Kind} for {BusinessKey}: {Reason}")]
    private static partial void LogRaised(ILogger logger, string exceptionId, string kind, string businessKey, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exception {ExceptionId}: message {MessageId} re-submitted to {Entity}")]
    private static partial void LogResubmitted(ILogger logger, string exceptionId, string messageId, string entity);
}
