using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Serialization;
using Retail.Contracts;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;
using Retail.Grains.Outbox;
using Retail.Grains.Telemetry;

namespace Retail.Grains.Inventory;

/// <summary>
/// One stock position. Reentrant, with a group commit: while one write is in flight, the next operations apply their
/// changes in memory and share the next write, so a flash sale's hundreds of reservations on one position cost a
/// handful of writes. Every operation still answers only once what it answers from is durable (state and its events
/// in one write).
/// </summary>
/// <remarks>
/// <para>
/// Why this is safe although requests interleave: every operation validates, checks and changes the state in one
/// synchronous stretch (no await between reading <see cref="InventoryState.Available"/> and taking the stock), so no
/// other request can run between the check and the change, and computes its answer there too. Its only await that
/// follows is the durability of that stretch: <see cref="OutboxGrain{TState}.SaveInGroupAsync"/> when it changed the
/// state, <see cref="OutboxGrain{TState}.WhenSavedAsync"/> when it answered from memory (a duplicate, a rejection, a
/// read), since what it saw may belong to a write still in flight. A failed write reloads the stored state, which
/// discards every change that is not durable, and fails exactly the requests whose changes it discarded; they retry,
/// and reservation, fulfil, restock and adjustment ids make the retry idempotent. Timers and reminders interleave like
/// requests and go through the same path. After each write, from the state that write stored: the expiry timer is
/// set, and the availability report, the expiry reminder and the outbox delivery follow in the background, each one
/// call at a time and in order, so that no acknowledgement waits on another grain or the broker. Orders are told of
/// released reservations by the outbox relay, after the write that released them and holds the notice.
/// </para>
/// Semantics the interface leaves open:
/// <list type="bullet">
/// <item>A repeated reserve with an id that already holds stock answers the existing reservation unchanged, even
/// when the quantity or expiry differ: the result's quantity tells the caller what is held. A released reservation is
/// removed, so a later reserve with its id is a new reservation (an order re-sourcing a line to this location).</item>
/// <item>Release of an unknown id is a no-op; confirm of an unknown id (expired or released) throws
/// <see cref="ProblemCodes.InventoryNotFound"/>, so the order learns that nothing is held any more.</item>
/// <item>A fulfil beyond its reservation takes the rest from free stock; on hand never goes below zero (the count
/// was wrong; the next snapshot shows the variance). An adjustment that would take on hand below zero is refused.</item>
/// <item>Whenever on hand, safety stock or a sale leaves the reservations above <c>onHand - safetyStock</c>, only the
/// shortfall is taken back, from the newest orders' reservations first (the last one it reaches shrinks), and their
/// orders are told one at a time, oldest first, so that they source again in their age order.</item>
/// <item>A reservation asked with <see cref="ReservationRequest.TakeFromNewer"/> (an order sourcing again after it lost
/// stock) takes what free stock lacks from newer orders' reservations, newest first, and those orders are told.</item>
/// <item>The first snapshot of a position never counted, set or adjusted establishes the baseline: variance 0.</item>
/// <item>Orders and the exception records are told through the outbox, after the durable write: an order may call
/// back into this grain while it handles the news (re-sourcing).</item>
/// </list>
/// </remarks>
[Reentrant]
internal sealed partial class InventoryGrain(
    [PersistentState("inventory", StorageNames.Inventory)] IPersistentState<InventoryState> state,
    OutboxServices outbox,
    ILogger<InventoryGrain> logger,
    TimeProvider timeProvider,
    DeepCopier<InventoryState> copier,
    IConfiguration configuration)
    : OutboxGrain<InventoryState>(state, outbox, logger, copier), IInventoryGrain
{
    private const string ExpiryReminderName = "inventory-expiry";
    private static readonly TimeSpan AppliedOperationRetention = TimeSpan.FromDays(30);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan ExpiryReminderPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan HolderCheckRetry = TimeSpan.FromSeconds(10);
    /// <summary>
    /// How long a write's callers wait for the availability report after the write. A report normally takes a moment;
    /// one stuck on a failed silo must not hold acknowledgements anywhere near the callers' 30 s response timeout.
    /// </summary>
    private static readonly TimeSpan AnnouncePatience = TimeSpan.FromSeconds(3);

    private readonly ILogger<InventoryGrain> _logger = logger;
    private readonly TimeProvider _time = timeProvider;
    private IGrainTimer? _expiryTimer;
    private DateTimeOffset? _expiryTimerDue;
    private bool _expiryReminderRegistered;
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    private InventoryPosition? _durablePosition;
    private InventoryPosition? _reported;
    private bool _expiryReminderWanted;
    private Task? _announcing;
    private bool _announceAgain;
    private readonly TimeSpan _holderCheckAfter = HolderCheckOptions.From(configuration);
    private IGrainTimer? _holderCheck;

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        EnsureIdentity();
        var nextExpiry = NextExpiry(State);
        _expiryReminderWanted = nextExpiry is not null;
        SetExpiryTimer(nextExpiry, _time.GetUtcNow());
        _ = Announce();
        ScheduleHolderCheck(_time.GetUtcNow(), TimeSpan.Zero);
    }

    public async Task<ReservationResult> ReserveAsync(ReservationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = _time.GetUtcNow();
        ValidateReservation(request, now);
        var change = BeginChange(now);

        var key = request.Id.ToString();
        ReservationResult result;
        if (State.Reservations.TryGetValue(key, out var existing))
        {
            result = new ReservationResult { Reserved = true, Quantity = existing.Quantity, Available = State.Available };
        }
        else if (request.Quantity > State.Available && TakeFromNewer(change, request) is var held && held == 0)
        {
            LogReservationRejected(_logger, key, Key, request.Quantity, State.Available);
            RetailMetrics.ReservationRejected();
            result = new ReservationResult { Reserved = false, Quantity = 0, Available = State.Available };
        }
        else
        {
            var quantity = Math.Min(request.Quantity, Math.Max(0, State.Available));
            State.Reservations.Put(key, new InventoryReservation
            {
                OrderId = request.Id.OrderId,
                LineId = request.Id.LineId,
                Quantity = quantity,
                CreatedAt = now,
                ExpiresAt = request.ExpiresAt,
                Number = ++State.ReservationCounter,
                Held = request.ExpiresAt is not null,
                OrderedAt = request.OrderedAt,
            });
            RecordChange(change, "reserved");
            RetailMetrics.ReservationMade();
            result = new ReservationResult { Reserved = quantity == request.Quantity, Quantity = quantity, Available = State.Available };
        }

        await CommitAsync(change);
        return result;
    }

    public async Task ReleaseAsync(ReservationId id)
    {
        ValidateReservationId(id);
        var change = BeginChange(_time.GetUtcNow());

        if (State.Reservations.Remove(id.ToString()))
        {
            RecordChange(change, "released");
        }

        await CommitAsync(change);
    }

    public async Task ConfirmAsync(ReservationId id)
    {
        ValidateReservationId(id);
        var change = BeginChange(_time.GetUtcNow());

        var key = id.ToString();
        var found = State.Reservations.TryGetValue(key, out var reservation);
        if (found && (reservation.ExpiresAt is not null || !reservation.Held))
        {
            // Held alone is kept in memory until the next write; a lifted expiry is written now.
            State.Reservations.Put(key, reservation with { ExpiresAt = null, Held = true });
            change.StateChanged |= reservation.ExpiresAt is not null;
        }

        await CommitAsync(change);
        if (!found)
        {
            throw new RetailException(ProblemCodes.InventoryNotFound, $"No reservation {id} is held at {Key}; it expired or was released.");
        }
    }

    public async Task FulfilAsync(string operationId, ReservationId id, int quantity)
    {
        var errors = new ValidationErrors();
        errors.RequireId("operationId", operationId);
        errors.RequireReservationId("id", id);
        errors.RequirePositive("quantity", quantity);
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        if (ClaimOperation(change, "fulfil", operationId))
        {
            var key = id.ToString();
            if (State.Reservations.TryGetValue(key, out var reservation))
            {
                Reduce(key, reservation, Math.Min(quantity, reservation.Quantity));
            }
            if (quantity > State.OnHand)
            {
                LogFulfilledBeyondOnHand(_logger, Key, quantity, State.OnHand);
            }
            State.OnHand = Math.Max(0, State.OnHand - quantity);
            ReleaseShortfall(change, ReleaseReasons.StockReduced);
            RecordChange(change, "fulfilled");
        }

        await CommitAsync(change);
    }

    public async Task RestockAsync(string operationId, int quantity)
    {
        var errors = new ValidationErrors();
        errors.RequireId("operationId", operationId);
        errors.RequirePositive("quantity", quantity);
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        if (ClaimOperation(change, "restock", operationId))
        {
            State.OnHand += quantity;
            State.Known = true;
            RecordChange(change, "restocked");
        }

        await CommitAsync(change);
    }

    public async Task<InventoryPosition> AdjustAsync(string adjustmentId, int delta, string reason)
    {
        var errors = new ValidationErrors();
        errors.RequireId("adjustmentId", adjustmentId);
        if (delta == 0)
        {
            errors.Add("delta", "Must not be zero.");
        }
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        var key = OperationKey("adjust", adjustmentId);
        if (!State.AppliedOperations.ContainsKey(key) && State.OnHand + delta < 0)
        {
            var refusal = $"Would take on hand at {Key} below zero (on hand {State.OnHand}, delta {delta}).";
            await CommitAsync(change);
            throw new RetailValidationException(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["delta"] = [refusal],
            });
        }
        if (ClaimOperation(change, "adjust", adjustmentId))
        {
            State.OnHand += delta;
            State.Known = true;
            ReleaseShortfall(change, ReleaseReasons.StockReduced);
            RecordChange(change, string.IsNullOrWhiteSpace(reason) ? "adjusted" : $"adjusted: {reason}");
        }

        var position = State.ToPosition();
        await CommitAsync(change);
        return position;
    }

    public async Task<SnapshotResult> ApplySnapshotAsync(DateTimeOffset asOf, int onHand)
    {
        var errors = new ValidationErrors();
        if (onHand < 0)
        {
            errors.Add("onHand", "Must not be negative.");
        }
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        if (State.LastSnapshotAsOf is { } last && asOf <= last)
        {
            LogStaleSnapshotIgnored(_logger, Key, asOf, last);
            await CommitAsync(change);
            return new SnapshotResult { Applied = false };
        }

        var variance = State.Known ? onHand - State.OnHand : 0;
        var expected = State.OnHand;
        State.OnHand = onHand;
        State.LastSnapshotAsOf = asOf;
        State.Known = true;
        change.StateChanged = true;
        var released = ReleaseShortfall(change, ReleaseReasons.Snapshot);
        RecordChange(change, "snapshot");
        if (variance != 0)
        {
            State.Outbox.AddEvent(EventSources.Inventory, EventTypes.InventoryVarianceDetected, Key, EventData("snapshot", variance), change.Now);
            RetailMetrics.InventoryVariance(variance);
            change.Exception = new ExceptionToRaise
            {
                Kind = ExceptionKinds.InventoryVariance,
                BusinessKey = Key,
                Reason = $"Counted {onHand} as of {asOf:O}, expected {expected}: variance {variance}.",
            };
        }

        await CommitAsync(change);
        return new SnapshotResult
        {
            Applied = true,
            Variance = variance,
            Released = released.Select(r => new ReservationId(r.Reservation.OrderId, r.Reservation.LineId)).ToList(),
        };
    }

    public async Task<InventoryPosition> SetStockAsync(int onHand, int safetyStock)
    {
        var errors = new ValidationErrors();
        if (onHand < 0)
        {
            errors.Add("onHand", "Must not be negative.");
        }
        if (safetyStock < 0)
        {
            errors.Add("safetyStock", "Must not be negative.");
        }
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        if (!State.Known || State.OnHand != onHand || State.SafetyStock != safetyStock)
        {
            State.OnHand = onHand;
            State.SafetyStock = safetyStock;
            State.Known = true;
            ReleaseShortfall(change, ReleaseReasons.StockReduced);
            RecordChange(change, "stock-set");
        }

        var position = State.ToPosition();
        await CommitAsync(change);
        return position;
    }

    public async Task<InventoryPosition> GetAsync()
    {
        var change = BeginChange(_time.GetUtcNow());
        var position = State.ToPosition();
        await CommitAsync(change);
        return position;
    }

    protected override async Task OnReminderAsync(string reminderName, TickStatus status)
    {
        if (reminderName != ExpiryReminderName)
        {
            return;
        }
        _expiryReminderRegistered = true;
        await CommitAsync(BeginChange(_time.GetUtcNow()));
    }

    /// <summary>
    /// Sets the expiry timer for what the write stored and reports it, so that the SKU's availability has heard of a
    /// change when its caller is acknowledged (stock just set is offered at once); a report that takes too long carries
    /// on in the background.
    /// </summary>
    protected override async Task OnGroupWrittenAsync(InventoryState written)
    {
        State.Reservations.MarkStored(written.Reservations);
        _durablePosition = written.ToPosition();
        var nextExpiry = NextExpiry(written);
        _expiryReminderWanted = nextExpiry is not null;
        SetExpiryTimer(nextExpiry, _time.GetUtcNow());
        try
        {
            await Announce().WaitAsync(AnnouncePatience, _time);
        }
        catch (TimeoutException)
        {
            LogAnnounceSlow(_logger, Key, AnnouncePatience);
        }
        ScheduleHolderCheck(_time.GetUtcNow(), TimeSpan.Zero);
    }

    protected override void OnReloaded() => EnsureIdentity();

    /// <summary>
    /// Sets a timer for the oldest reservation that no order has confirmed, <see cref="HolderCheckOptions"/> after it was
    /// made (at least <paramref name="notBefore"/> from now). A timer, not a reminder: a position deactivated before the
    /// check checks when it is next active, which is when its stock is wanted again.
    /// </summary>
    private void ScheduleHolderCheck(DateTimeOffset now, TimeSpan notBefore)
    {
        if (_holderCheck is not null || !State.Reservations.AnyAwaitsHolderCheck)
        {
            return;
        }
        var oldest = State.Reservations.Values.Where(r => r.NeedsHolderCheck).Select(r => (DateTimeOffset?)r.CreatedAt).Min();
        if (oldest is null)
        {
            return;
        }
        var due = oldest.Value + _holderCheckAfter - now;
        _holderCheck = this.RegisterGrainTimer(CheckHoldersAsync, new GrainTimerCreationOptions
        {
            DueTime = due > notBefore ? due : notBefore,
            Period = Timeout.InfiniteTimeSpan,
        });
    }

    /// <summary>
    /// Asks each order whose reservation here is unconfirmed and old enough whether it holds it: one that does is
    /// confirmed (in memory; stored with the next write), one that does not is released. An order that cannot answer is
    /// asked again later.
    /// </summary>
    private async Task CheckHoldersAsync(CancellationToken cancellationToken)
    {
        _holderCheck?.Dispose();
        _holderCheck = null;
        var asked = _time.GetUtcNow();
        var due = State.Reservations.Entries
            .Where(r => r.Value.NeedsHolderCheck && r.Value.CreatedAt + _holderCheckAfter <= asked)
            .Select(r => (r.Key, r.Value.OrderId, r.Value.LineId))
            .ToList();
        var answers = await Task.WhenAll(due.Select(r => AskHolderAsync(r.OrderId, r.LineId)));

        var change = BeginChange(_time.GetUtcNow());
        var orphaned = 0;
        foreach (var ((key, orderId, lineId), holds) in due.Zip(answers))
        {
            if (holds is null || !State.Reservations.TryGetValue(key, out var reservation) || !reservation.NeedsHolderCheck)
            {
                continue;
            }
            if (holds.Value)
            {
                State.Reservations.Put(key, reservation with { Held = true });
                continue;
            }
            State.Reservations.Remove(key);
            orphaned++;
            RetailMetrics.ReservationOrphaned();
            LogOrphanReleased(_logger, Key, orderId, lineId, reservation.Quantity);
        }
        if (orphaned > 0)
        {
            RecordChange(change, ReleaseReasons.Orphaned);
        }
        try
        {
            await CommitAsync(change);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The state was reloaded; the orphans are still unconfirmed and the next check finds them again.
            LogHolderCheckFailed(_logger, exception, Key);
        }
        ScheduleHolderCheck(_time.GetUtcNow(), HolderCheckRetry);
    }

    private async Task<bool?> AskHolderAsync(string orderId, string reservationLineId)
    {
        try
        {
            return await GrainFactory.GetGrain<IOrderGrain>(orderId).HoldsReservationAsync(reservationLineId, State.LocationId);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogHolderCheckFailed(_logger, exception, Key);
            return null;
        }
    }

    private async Task OnExpiryTimerAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CommitAsync(BeginChange(_time.GetUtcNow()));
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The state was reloaded; the timer set below, or the reminder, comes back to purge again.
            LogExpiryFailed(_logger, exception, Key);
        }
        // This timer is spent, and it may have fired a moment before the expiry it was set for: set it again.
        _expiryTimerDue = null;
        SetExpiryTimer(NextExpiry(State), _time.GetUtcNow());
    }

    private void EnsureIdentity()
    {
        if (State.Sku.Length == 0)
        {
            (State.Sku, State.LocationId) = InventoryKey.Parse(Key);
        }
    }

    /// <summary>Starts an operation: lapsed unpaid reservations are released first, whatever the operation.</summary>
    private Change BeginChange(DateTimeOffset now)
    {
        var change = new Change(now);
        var expired = State.Reservations.TakeExpired(now);
        if (expired.Count > 0)
        {
            foreach (var (_, reservation) in expired)
            {
                change.Released.Add(new Taken(reservation, reservation.Quantity, ReleaseReasons.Expired));
            }
            RecordChange(change, "expired");
            RetailMetrics.ReservationExpired(expired.Count);
        }
        return change;
    }

    /// <summary>
    /// Takes back only what on hand less safety stock cannot cover, from the newest orders' reservations first; the
    /// last one reached shrinks rather than going whole.
    /// </summary>
    private List<Taken> ReleaseShortfall(Change change, string reason) =>
        TakeNewestFirst(change, State.Reserved - (State.OnHand - State.SafetyStock), reason, State.Reservations.Values);

    /// <summary>
    /// For a request that free stock cannot cover: when it may, takes the missing units from reservations of orders
    /// newer than its own, newest first. Answers how many units the request can then hold (free stock included); 0 when
    /// it may not take from others, so that it is refused whole.
    /// </summary>
    private int TakeFromNewer(Change change, ReservationRequest request)
    {
        if (!request.TakeFromNewer)
        {
            return 0;
        }
        var free = Math.Max(0, State.Available);
        var requester = new InventoryReservation
        {
            OrderId = request.Id.OrderId,
            LineId = request.Id.LineId,
            CreatedAt = change.Now,
            OrderedAt = request.OrderedAt,
            Number = long.MaxValue,
        };
        var newer = State.Reservations.Values
            .Where(r => r.OrderId != request.Id.OrderId && InventoryReservation.OldestFirst.Compare(r, requester) > 0)
            .ToList();
        var taken = TakeNewestFirst(change, request.Quantity - free, ReleaseReasons.TakenByOlderOrder, newer);
        return free + taken.Sum(t => t.Quantity);
    }

    private List<Taken> TakeNewestFirst(Change change, int units, string reason, IEnumerable<InventoryReservation> from)
    {
        var taken = new List<Taken>();
        if (units <= 0)
        {
            return taken;
        }
        foreach (var reservation in from.OrderDescending(InventoryReservation.OldestFirst).ToList())
        {
            if (units <= 0)
            {
                break;
            }
            var take = Math.Min(units, reservation.Quantity);
            Reduce(new ReservationId(reservation.OrderId, reservation.LineId).ToString(), reservation, take);
            units -= take;
            var entry = new Taken(reservation, take, reason);
            taken.Add(entry);
            change.Released.Add(entry);
            change.StateChanged = true;
        }
        return taken;
    }

    /// <summary>Takes <paramref name="units"/> from the reservation under <paramref name="key"/>; one left with none is removed.</summary>
    private void Reduce(string key, InventoryReservation reservation, int units)
    {
        if (units >= reservation.Quantity)
        {
            State.Reservations.Remove(key);
        }
        else
        {
            State.Reservations.Put(key, reservation with { Quantity = reservation.Quantity - units });
        }
    }

    private bool ClaimOperation(Change change, string kind, string operationId)
    {
        if (!State.AppliedOperations.TryAdd(OperationKey(kind, operationId), change.Now))
        {
            return false;
        }
        change.StateChanged = true;
        return true;
    }

    private static string OperationKey(string kind, string operationId) => $"{kind}:{operationId}";

    private void RecordChange(Change change, string reason)
    {
        State.Outbox.AddEvent(EventSources.Inventory, EventTypes.InventoryChanged, Key, EventData(reason, variance: null), change.Now);
        change.StateChanged = true;
    }

    private InventoryEventData EventData(string reason, int? variance) => new()
    {
        Sku = State.Sku,
        LocationId = State.LocationId,
        OnHand = State.OnHand,
        SafetyStock = State.SafetyStock,
        Reserved = State.Reserved,
        Available = State.Available,
        Variance = variance,
        Reason = reason,
    };

    /// <summary>
    /// Completes once the operation's change, or what it answered from, is durable. The notices to the orders whose
    /// reservations were released and the variance's exception go into the outbox with the change, so the relay delivers
    /// them after the write. Must be called in the turn that applied the change; a failed write throws here, the change
    /// and its effects discarded.
    /// </summary>
    private async Task CommitAsync(Change change)
    {
        if (!change.StateChanged)
        {
            await WhenSavedAsync();
            return;
        }
        PruneAppliedOperations(change.Now);
        foreach (var (orderId, released) in ReleasedByOrder(change.Released))
        {
            LogReservationsReleased(_logger, Key, orderId, released.Lines.Count, released.Reason);
            State.Outbox.AddReleasedReservations(Key, orderId, released, change.Now);
        }
        AddPromiseNotices(change.Now);
        if (change.Exception is { } exception)
        {
            State.Outbox.AddExceptionRaise(Key, exception, change.Now);
        }
        await SaveInGroupAsync();
    }

    private void PruneAppliedOperations(DateTimeOffset now)
    {
        if (now - _lastPrune < PruneInterval)
        {
            return;
        }
        _lastPrune = now;
        foreach (var key in State.AppliedOperations.Where(o => now - o.Value > AppliedOperationRetention).Select(o => o.Key).ToList())
        {
            State.AppliedOperations.Remove(key);
        }
    }

    /// <summary>
    /// Brings the SKU's availability and the expiry reminder in step with the durable state, one call at a time: reports
    /// go out in order, each the latest durable position. A failed step is tried again after the next write. Completes
    /// when both are in step (or failed).
    /// </summary>
    private Task Announce()
    {
        if (_announcing is not null)
        {
            _announceAgain = true;
            return _announcing;
        }
        var announcing = AnnounceAsync();
        // One that finished synchronously has already cleared _announcing; keeping it would stop every later one.
        if (!announcing.IsCompleted)
        {
            _announcing = announcing;
        }
        return announcing;
    }

    private async Task AnnounceAsync()
    {
        try
        {
            do
            {
                _announceAgain = false;
                if (_durablePosition is { } position && position != _reported && await ReportAvailabilityAsync(position))
                {
                    _reported = position;
                }
                if (_expiryReminderWanted != _expiryReminderRegistered)
                {
                    await UpdateExpiryReminderAsync(_expiryReminderWanted);
                }
            }
            while (_announceAgain);
        }
        finally
        {
            _announcing = null;
        }
    }

    private async Task<bool> ReportAvailabilityAsync(InventoryPosition position)
    {
        try
        {
            await GrainFactory.GetGrain<ISkuAvailabilityGrain>(position.Sku).ReportAsync(position);
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogAvailabilityReportFailed(_logger, exception, Key);
            return false;
        }
    }

    /// <summary>One notice per order and reason, oldest order first.</summary>
    private List<(string OrderId, ReservationsReleased Released)> ReleasedByOrder(List<Taken> released) =>
        released
            .OrderBy(r => r.Reservation, InventoryReservation.OldestFirst)
            .GroupBy(r => (r.Reservation.OrderId, r.Reason))
            .Select(group => (group.Key.OrderId, new ReservationsReleased
            {
                LocationId = State.LocationId,
                Sku = State.Sku,
                Lines = group.Select(r => new LineQuantity { LineId = r.Reservation.LineId, Quantity = r.Quantity }).ToList(),
                Reason = group.Key.Reason,
            }))
            .ToList();

    private static DateTimeOffset? NextExpiry(InventoryState state) => state.Reservations.NextExpiry;

    /// <summary>
    /// A grain timer fires at the earliest expiry while the grain is active; the expiry reminder (period at least a
    /// minute, kept in step by <see cref="Announce"/>) brings the grain back to purge if it was deactivated or its silo
    /// failed meanwhile.
    /// </summary>
    private void SetExpiryTimer(DateTimeOffset? next, DateTimeOffset now)
    {
        if (next is null)
        {
            _expiryTimer?.Dispose();
            _expiryTimer = null;
            _expiryTimerDue = null;
            return;
        }
        if (_expiryTimerDue != next)
        {
            _expiryTimer?.Dispose();
            var dueTime = next.Value - now;
            _expiryTimer = this.RegisterGrainTimer(OnExpiryTimerAsync, new GrainTimerCreationOptions
            {
                DueTime = dueTime > TimeSpan.Zero ? dueTime : TimeSpan.Zero,
                Period = Timeout.InfiniteTimeSpan,
            });
            _expiryTimerDue = next;
        }
    }

    private async Task UpdateExpiryReminderAsync(bool register)
    {
        try
        {
            if (register)
            {
                await this.RegisterOrUpdateReminder(ExpiryReminderName, ExpiryReminderPeriod, ExpiryReminderPeriod);
            }
            else if (await this.GetReminder(ExpiryReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
            _expiryReminderRegistered = register;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The timer still purges while the grain is active; the next write tries the reminder again.
            LogExpiryReminderFailed(_logger, exception, Key);
        }
    }

    private static void ValidateReservation(ReservationRequest request, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        errors.RequireReservationId("id", request.Id);
        errors.RequirePositive("quantity", request.Quantity);
        if (request.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            errors.Add("expiresAt", "Must be in the future.");
        }
        errors.ThrowIfAny();
    }

    private static void ValidateReservationId(ReservationId id)
    {
        var errors = new ValidationErrors();
        errors.RequireReservationId("id", id);
        errors.ThrowIfAny();
    }

    /// <summary>Units taken back from a reservation (all of it when it expired), and why.</summary>
    private sealed record Taken(InventoryReservation Reservation, int Quantity, string Reason);

    private sealed class Change(DateTimeOffset now)
    {
        public DateTimeOffset Now { get; } = now;
        /// <summary>Something must be written.</summary>
        public bool StateChanged { get; set; }
        public List<Taken> Released { get; } = [];
        public ExceptionToRaise? Exception { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reservation {ReservationId} of {Quantity} at {InventoryKey} rejected: {Available} available")]
    private static partial void LogReservationRejected(ILogger logger, string reservationId, string inventoryKey, int quantity, int available);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fulfilled {Quantity} at {InventoryKey} with only {OnHand} on hand; on hand floored at zero")]
    private static partial void LogFulfilledBeyondOnHand(ILogger logger, string inventoryKey, int quantity, int onHand);

    [LoggerMessage(Level = LogLevel.Information, Message = "Snapshot of {InventoryKey} as of {AsOf} ignored: {LastAsOf} was applied already")]
    private static partial void LogStaleSnapshotIgnored(ILogger logger, string inventoryKey, DateTimeOffset asOf, DateTimeOffset lastAsOf);

    [LoggerMessage(Level = LogLevel.Information, Message = "{InventoryKey} released {LineCount} line(s) of order {OrderId}: {Reason}")]
    private static partial void LogReservationsReleased(ILogger logger, string inventoryKey, string orderId, int lineCount, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting {InventoryKey} to its SKU availability takes longer than {Patience}; acknowledging the write without waiting")]
    private static partial void LogAnnounceSlow(ILogger logger, string inventoryKey, TimeSpan patience);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting {InventoryKey} to its SKU availability failed")]
    private static partial void LogAvailabilityReportFailed(ILogger logger, Exception exception, string inventoryKey);


    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired reservations of {InventoryKey} failed; the reminder retries")]
    private static partial void LogExpiryFailed(ILogger logger, Exception exception, string inventoryKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{InventoryKey} released {Quantity} reserved for line {LineId} of order {OrderId}: the order does not hold it")]
    private static partial void LogOrphanReleased(ILogger logger, string inventoryKey, string orderId, string lineId, int quantity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the holders of {InventoryKey}'s unconfirmed reservations failed; checking again later")]
    private static partial void LogHolderCheckFailed(ILogger logger, Exception exception, string inventoryKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the expiry reminder of {InventoryKey} failed")]
    private static partial void LogExpiryReminderFailed(ILogger logger, Exception exception, string inventoryKey);
}
