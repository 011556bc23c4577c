using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Retail.Contracts;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;
using Retail.Grains.Inventory;
using Retail.Grains.Outbox;
using Retail.Grains.Telemetry;

namespace Retail.Grains.Exceptions;

[GenerateSerializer, Alias("Retail.ExceptionState")]
internal sealed class ExceptionState : IHasOutbox, IProjectedState
{
    /// <summary>The business key's records, oldest first (the order of creation is the order of the list).</summary>
    [Id(0)] public List<ExceptionRecord> Records { get; set; } = [];
    /// <summary>The number in the id of the last record created here.</summary>
    [Id(1)] public long LastNumber { get; set; }
    [Id(2)] public OutboxState Outbox { get; set; } = new();

    /// <summary>Every record the key keeps is a row of the exception listing; pruned records keep their last row.</summary>
    public IReadOnlyList<IListingRow> ListingRows() => [.. Records.Select(record => new ExceptionListing(record))];
}

/// <summary>
/// The exception records of one business key. Ids are <see cref="ExceptionKey.RecordId"/>: the kind, this grain's key
/// and a number counting the records raised here, so they are unique, readable and lead back to this grain. Raising is
/// idempotent per kind while a record is open: a repeat counts an attempt and takes the new reason. Events
/// <c>retail.exception.raised</c> and <c>.resolved</c> have the record's id as subject. The records are rows of the
/// exception listing (<see cref="IExceptionProjection"/>), written by the grain storage in the same transaction as the
/// state. A retry or resolve through the API counts a manual touch on the record.
/// </summary>
/// <remarks>
/// Retry: a record carrying a message (a dead letter) sends the original message again, with its original id, to its
/// original entity through the outbox, and stays open until someone resolves it or the message fails again and raises
/// it once more. An order's hold or failure asks the order to re-run the held step (the order resolves the record
/// itself when the step succeeds). Anything else has no step to re-run: a retry is refused as an invalid transition.
/// The grain is reentrant so that a retry waiting for its order never blocks that order's own resolve here (which would
/// deadlock the two); each change is made in memory in one turn, then waits for a write that started after it.
/// </remarks>
[Reentrant]
internal sealed partial class ExceptionGrain(
    [PersistentState("exceptions", StorageNames.Operations)] IPersistentState<ExceptionState> state,
    OutboxServices outbox,
    ILogger<ExceptionGrain> logger,
    TimeProvider timeProvider)
    : OutboxGrain<ExceptionState>(state, outbox, logger), IExceptionGrain
{
    private const int MaxReasonLength = 2000;
    /// <summary>A stock position's key with a long escaped SKU is longer than an id.</summary>
    private const int MaxBusinessKeyLength = 1000;
    private const int KeptResolved = 20;

    private static readonly HashSet<string> OrderKinds = new(StringComparer.Ordinal)
    {
        ExceptionKinds.PaymentTimeout, ExceptionKinds.PaymentFailed, ExceptionKinds.UnknownSku,
        ExceptionKinds.TotalsMismatch, ExceptionKinds.Backordered, ExceptionKinds.PostingRejected,
    };

    private readonly ILogger<ExceptionGrain> _logger = logger;
    private readonly TimeProvider _time = timeProvider;
    private TaskCompletionSource? _nextWrite;
    private bool _writing;

    private string Key => this.GetPrimaryKeyString();

    public async Task<ExceptionRecord> RaiseAsync(ExceptionToRaise exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Validate(exception);
        var now = _time.GetUtcNow();
        var reason = Truncate(string.IsNullOrWhiteSpace(exception.Reason) ? exception.Kind : exception.Reason);

        var index = State.Records.FindIndex(r => r.Status == ExceptionStatus.Open && r.Kind == exception.Kind);
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
            Replace(repeated);
            await PersistAsync();
            return repeated;
        }

        PruneResolved();
        var record = new ExceptionRecord
        {
            Id = ExceptionKey.RecordId(exception.Kind, Key, ++State.LastNumber),
            Kind = exception.Kind,
            BusinessKey = exception.BusinessKey,
            Reason = reason,
            Attempts = 1,
            CreatedAt = now,
            UpdatedAt = now,
            Status = ExceptionStatus.Open,
            CorrelationId = OutboxWriter.CurrentCorrelationId(),
            Message = exception.Message,
            Root = ExceptionCauses.RootOf(exception),
        };
        State.Records.Add(record);
        Emit(EventTypes.ExceptionRaised, record, now);
        await PersistAsync();
        RetailMetrics.ExceptionOpened(record.Kind);
        LogRaised(_logger, record.Id, record.Kind, record.BusinessKey, record.Reason);
        return record;
    }

    public Task<IReadOnlyList<ExceptionRecord>> ListAsync() => Task.FromResult<IReadOnlyList<ExceptionRecord>>([.. State.Records]);

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

    public async Task<ExceptionRecord> ResolveAsync(string id, string resolution)
    {
        var record = Find(id);
        if (record.Status == ExceptionStatus.Resolved)
        {
            return record;
        }
        var resolved = await ResolveAsync(record with { ManualTouches = record.ManualTouches + 1 }, resolution);
        CountTouch(record);
        return resolved;
    }

    public async Task ResolveOpenAsync(string kind, string resolution)
    {
        var record = State.Records.FirstOrDefault(r => r.Status == ExceptionStatus.Open && r.Kind == kind);
        if (record is not null)
        {
            await ResolveAsync(record, resolution);
        }
    }

    /// <summary>Counts the attempt and the manual touch; a dead letter's message is sent again with the same write.</summary>
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
        Replace(record with { Attempts = record.Attempts + 1, UpdatedAt = now, ManualTouches = record.ManualTouches + 1 });
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
            CountTouch(record);
            LogResubmitted(_logger, id, message.MessageId, message.Entity);
            return record;
        }
        await PersistAsync();
        CountTouch(record);
        return record;
    }

    /// <summary>Counts the record's first manual touch, once it is durable (<paramref name="before"/> is the record before it).</summary>
    private static void CountTouch(ExceptionRecord before)
    {
        if (before.ManualTouches == 0)
        {
            RetailMetrics.ExceptionTouchedByHand(before.Kind);
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
        RetailMetrics.ExceptionResolved(resolved.Kind, now - resolved.CreatedAt);
        return resolved;
    }

    /// <summary>
    /// Completes when a write that started after the caller's change (made in memory in the same turn) is durable, with
    /// its listing rows; faults when the write failed. One write at a time; whatever changed while it ran goes
    /// in the next.
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
                }
                catch (Exception exception)
                {
                    batch.SetException(exception);
                    continue;
                }
                batch.SetResult();
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private ExceptionRecord Find(string id) =>
        State.Records.FirstOrDefault(r => r.Id == id)
        ?? throw new RetailException(ProblemCodes.ExceptionNotFound, $"No exception '{id}'.");

    private void Replace(ExceptionRecord record)
    {
        State.Records[State.Records.FindIndex(r => r.Id == record.Id)] = record;
    }

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

    /// <summary>A key keeps its open records and its latest resolved ones; the listing keeps every record.</summary>
    private void PruneResolved()
    {
        var resolved = State.Records.Where(r => r.Status == ExceptionStatus.Resolved).ToList();
        foreach (var old in resolved.Take(Math.Max(0, resolved.Count - KeptResolved)))
        {
            State.Records.Remove(old);
        }
    }

    private static void Validate(ExceptionToRaise exception)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrWhiteSpace(exception.Kind) || !exception.Kind.All(char.IsAsciiLetterOrDigit))
        {
            errors.Add("kind", "Must be an exception kind: letters and digits.");
        }
        if (string.IsNullOrWhiteSpace(exception.BusinessKey))
        {
            errors.Add("businessKey", "Is required.");
        }
        else if (exception.BusinessKey.Length > MaxBusinessKeyLength)
        {
            errors.Add("businessKey", $"Must be at most {MaxBusinessKeyLength} characters.");
        }
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
