using Retail.Contracts.Events;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;
using Retail.Grains.Inventory;
using Retail.Grains.Sourcing;

namespace Retail.Grains.Orders;

/// <summary>
/// Promises from inbound supply: what stock on hand cannot cover is promised against a position's expected supply
/// (where the channel allows it, <see cref="SourcingOptions"/>), and the position later tells the order what became of
/// each promise: reserved on receipt, given up (the order sources again), or moved to a new date.
/// </summary>
internal sealed partial class OrderGrain
{
    public async Task OnPromisesChangedAsync(PromisesChanged changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        var errors = new ValidationErrors();
        errors.RequireId("locationId", changed.LocationId);
        if (!Skus.IsUsable(changed.Sku))
        {
            errors.Add("sku", $"Must be a usable SKU: {Skus.Problem(changed.Sku)}.");
        }
        if (string.IsNullOrEmpty(changed.NoticeId))
        {
            errors.Add("noticeId", "Is required: a notice is applied once by its id.");
        }
        if (changed.Changes is null || changed.Changes.Count == 0)
        {
            errors.Add("changes", "At least one change is required.");
        }
        errors.ThrowIfAny();
        EnsureExists();
        if (State.AppliedPromiseNotices.Contains(changed.NoticeId))
        {
            return;
        }

        var matches = changed.Changes!
            .Select(c => (Change: c, Line: State.Lines.FirstOrDefault(l => l.Promises.Any(p => Matches(p, c, changed.LocationId)))))
            .ToList();
        // Units the position reserved for a promise this order gave up meanwhile go straight back; a notice of a
        // conversion already applied finds the reservation held and leaves it.
        var strays = matches.Where(m => m.Line is null && m.Change.Converted > 0 && !HoldsAllocation(m.Change.LineId, changed.LocationId)).ToList();
        await Task.WhenAll(strays.Select(s => InventoryOf(changed.Sku, changed.LocationId).ReleaseAsync(new ReservationId(Key, s.Change.LineId))));
        var applicable = matches.Where(m => m.Line is not null).ToList();
        if (applicable.Count == 0)
        {
            return;
        }

        await ChangeAsync(async now =>
        {
            State.AppliedPromiseNotices.Add(changed.NoticeId);
            var moved = new List<LineQuantity>();
            var released = false;
            foreach (var (change, line) in applicable)
            {
                var promise = line!.Promises.First(p => Matches(p, change, changed.LocationId));
                var converted = Math.Min(change.Converted, promise.Open);
                if (converted > 0)
                {
                    promise.Converted += converted;
                    AddConverted(line, promise, converted, now);
                }
                var given = Math.Min(change.Released, promise.Open);
                if (given > 0)
                {
                    promise.Released += given;
                    promise.ReleaseReason = $"{InventoryKey.For(changed.Sku, changed.LocationId)}: {changed.Reason}";
                    released = true;
                }
                if (promise.Open > 0 && change.PromisedAt is { } at && at != promise.PromisedAt)
                {
                    promise.PromisedAt = at;
                    moved.Add(new LineQuantity { LineId = line.LineId, Quantity = promise.Open });
                }
            }
            AddTimeline(now, "promises-changed", $"{InventoryKey.For(changed.Sku, changed.LocationId)} {changed.Reason}: " + string.Join(", ", applicable.Select(m =>
                $"{m.Change.LineId} reserved {m.Change.Converted}, given up {m.Change.Released}{(m.Change.PromisedAt is { } at ? $", expected {at:O}" : "")}")) + ".");
            if (moved.Count > 0)
            {
                Emit(now, EventTypes.OrderPromiseChanged, $"Inbound supply at {changed.LocationId} {changed.Reason}.", moved);
            }
            if (released)
            {
                await SourceAsync(now, takeFromNewer: true);
            }
            Transition(now, released ? "sourced again" : "promise kept");
            await AdvanceAsync(now);
            await CommitAsync(now);
            return true;
        });
    }

    private bool HoldsAllocation(string reservationLineId, string locationId) =>
        State.Lines.Any(l => l.Allocations.Any(a => a.ReservationLineId == reservationLineId && a.LocationId == locationId && a.Open > 0));

    private static bool Matches(PromiseState promise, PromiseChange change, string locationId) =>
        promise.ReservationLineId == change.LineId && promise.LocationId == locationId && promise.Open > 0;

    /// <summary>The position reserved promised units under the promise's id: they join (or start) the allocation of that id.</summary>
    private void AddConverted(OrderLineState line, PromiseState promise, int quantity, DateTimeOffset now)
    {
        var expiresAt = OrderStatusRules.IsPaid(State.Payment) ? null : State.PaymentDueAt;
        var allocation = line.Allocations.FirstOrDefault(a => a.ReservationLineId == promise.ReservationLineId && a.LocationId == promise.LocationId);
        if (allocation is null)
        {
            line.Allocations.Add(new AllocationState
            {
                LocationId = promise.LocationId,
                ReservationLineId = promise.ReservationLineId,
                Quantity = quantity,
                ExpiresAt = expiresAt,
                ReservedAt = now,
            });
        }
        else
        {
            allocation.Quantity += quantity;
        }
    }

    /// <summary>Promises what is still backordered from inbound supply, when the order's channel allows it; answers what was promised, in words.</summary>
    private async Task<List<string>> PromiseFromInboundAsync(DateTimeOffset now, SourcingPicture? picture)
    {
        var wanted = State.Lines.Where(l => l.Backordered > 0).Select(l => new SourcingLine(l.LineId, l.Sku, l.Backordered)).ToList();
        if (wanted.Count == 0 || !_sourcing.Promises(State.Channel))
        {
            return [];
        }
        // The picture's free supply may be stale: each position has the final word.
        picture ??= await new StockSourcer(GrainFactory).ReadAsync(wanted.Select(l => l.Sku));
        var taken = await new InboundPromiser(GrainFactory).PromiseAsync(
            Key, State.Order.Fulfillment, wanted, Numbering(), State.ReceivedAt, picture, now);
        foreach (var promise in taken)
        {
            LineOf(promise.LineId).Promises.Add(new PromiseState
            {
                LocationId = promise.LocationId,
                ReservationLineId = promise.ReservationLineId,
                Quantity = promise.Quantity,
                PromisedAt = promise.PromisedAt,
                MadeAt = now,
            });
        }
        return taken.Select(p => $"{p.Quantity} of line {p.LineId} promised at {p.LocationId} for {p.PromisedAt:O}").ToList();
    }

    /// <summary>Gives up every open promise of <paramref name="lines"/> at its position.</summary>
    private async Task ReleasePromisesAsync(IEnumerable<OrderLineState> lines, string reason)
    {
        var open = lines.SelectMany(line => line.Promises.Where(p => p.Open > 0).Select(p => (line.Sku, Promise: p))).ToList();
        await Task.WhenAll(open.Select(o => InventoryOf(o.Sku, o.Promise.LocationId).ReleasePromiseAsync(new ReservationId(Key, o.Promise.ReservationLineId))));
        foreach (var (_, promise) in open)
        {
            promise.Released += promise.Open;
            promise.ReleaseReason = reason;
        }
    }

    /// <summary>
    /// Cancels up to <paramref name="units"/> of the line's promised quantity, newest promise first. A promise is given
    /// up whole; answers what is still to cancel and whether units of a given-up promise stay (to be sourced again).
    /// </summary>
    private async Task<(int Left, bool Kept)> CancelPromisedAsync(OrderLineState line, int units)
    {
        var kept = false;
        foreach (var promise in line.Promises.Where(p => p.Open > 0).Reverse().ToList())
        {
            if (units == 0)
            {
                break;
            }
            var open = promise.Open;
            await InventoryOf(line.Sku, promise.LocationId).ReleasePromiseAsync(new ReservationId(Key, promise.ReservationLineId));
            promise.Released += open;
            promise.ReleaseReason = "cancelled";
            kept |= open > units;
            units -= Math.Min(units, open);
        }
        return (units, kept);
    }

    /// <summary>The open promises, for the order's events; null when there are none.</summary>
    private List<LinePromise>? OpenPromises()
    {
        var promises = State.Lines
            .SelectMany(l => l.Promises.Where(p => p.Open > 0).Select(p => new LinePromise
            {
                LineId = l.LineId,
                LocationId = p.LocationId,
                Quantity = p.Open,
                PromisedAt = p.PromisedAt,
            }))
            .ToList();
        return promises.Count > 0 ? promises : null;
    }
}
