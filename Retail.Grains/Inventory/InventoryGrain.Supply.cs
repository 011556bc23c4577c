using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Grains.Outbox;
using Retail.Grains.Telemetry;

namespace Retail.Grains.Inventory;

/// <summary>
/// Stock on its way: supply expected here, transfers shipped from here, and promises of the supply to orders. Every
/// operation follows the position's rule (validate, change in one synchronous stretch, then await durability), and its
/// notices to orders go into the outbox with the change (<see cref="AddPromiseNotices"/> from the commit).
/// </summary>
internal sealed partial class InventoryGrain
{
    /// <summary>Promise changes of the current stretch, per order; written into the outbox by the commit that follows.</summary>
    private readonly List<(InventoryPromise Promise, PromiseChange Change, string Reason)> _promiseChanges = [];

    public async Task<InventoryPosition> ExpectInboundAsync(InboundExpectation expectation)
    {
        ArgumentNullException.ThrowIfNull(expectation);
        var errors = new ValidationErrors();
        errors.RequireId("reference", expectation.Reference);
        if (expectation.Kind is not (InboundKinds.PurchaseOrder or InboundKinds.Transfer))
        {
            errors.Add("kind", $"Must be {InboundKinds.PurchaseOrder} or {InboundKinds.Transfer}.");
        }
        if (expectation.Quantity < 0)
        {
            errors.Add("quantity", "Must not be negative.");
        }
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        var reference = expectation.Reference;
        // A supply already received is closed: a late confirmation of it changes nothing.
        if (!State.AppliedOperations.ContainsKey(OperationKey("receive", reference)))
        {
            State.Inbound.TryGetValue(reference, out var supply);
            if (expectation.Quantity == 0)
            {
                if (supply is not null)
                {
                    State.Inbound.Remove(reference);
                    GiveUpPromises(reference, int.MaxValue, PromiseReasons.Cancelled);
                    RecordInbound(change, supply, PromiseReasons.Cancelled, remaining: 0);
                }
            }
            else if (supply is null)
            {
                supply = new InboundSupply { Reference = reference, Kind = expectation.Kind, Quantity = expectation.Quantity, ExpectedAt = expectation.ExpectedAt };
                State.Inbound[reference] = supply;
                RecordInbound(change, supply, "expected", supply.Quantity);
            }
            else if (supply.Quantity != expectation.Quantity || supply.ExpectedAt != expectation.ExpectedAt)
            {
                var moved = supply.ExpectedAt != expectation.ExpectedAt;
                var dates = PromiseDates(reference);
                supply.Quantity = expectation.Quantity;
                supply.ExpectedAt = expectation.ExpectedAt;
                GiveUpPromises(reference, State.PromisedFrom(reference) - supply.Quantity, PromiseReasons.Reduced);
                if (moved)
                {
                    NoteMovedPromises(dates);
                }
                RecordInbound(change, supply, moved ? PromiseReasons.Slipped : PromiseReasons.Reduced, supply.Quantity);
            }
        }

        var position = State.ToPosition();
        await CommitAsync(change);
        return position;
    }

    public async Task<ReceiptResult> ReceiveInboundAsync(string reference, int quantity, DateTimeOffset receivedAt)
    {
        var errors = new ValidationErrors();
        errors.RequireId("reference", reference);
        if (quantity < 0)
        {
            errors.Add("quantity", "Must not be negative.");
        }
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        var result = new ReceiptResult { Applied = false };
        if (ClaimOperation(change, "receive", reference))
        {
            State.Inbound.Remove(reference, out var supply);
            var expected = supply?.Quantity ?? 0;
            State.OnHand += quantity;
            State.Known = true;
            ConvertPromises(change, reference);
            var variance = quantity - expected;
            RecordChange(change, "received");
            RecordInbound(change, supply ?? new InboundSupply { Reference = reference, Kind = KindOf(reference) }, PromiseReasons.Received, remaining: 0);
            if (variance != 0)
            {
                State.Outbox.AddEvent(EventSources.Inventory, EventTypes.InventoryVarianceDetected, Key, EventData("received", variance), change.Now);
                RetailMetrics.InventoryVariance(variance);
                change.Exception = new ExceptionToRaise
                {
                    Kind = ExceptionKinds.InventoryVariance,
                    BusinessKey = Key,
                    Reason = $"Received {quantity} on {reference} at {receivedAt:O}, expected {expected}: variance {variance}.",
                };
            }
            result = new ReceiptResult { Applied = true, Expected = expected, Received = quantity, Variance = variance };
        }

        await CommitAsync(change);
        return result;
    }

    public async Task<InventoryPosition> ShipTransferAsync(string transferId, int quantity)
    {
        var errors = new ValidationErrors();
        errors.RequireId("transferId", transferId);
        errors.RequirePositive("quantity", quantity);
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        if (ClaimOperation(change, "transfer-out", transferId))
        {
            if (quantity > State.OnHand)
            {
                LogFulfilledBeyondOnHand(_logger, Key, quantity, State.OnHand);
            }
            State.OnHand = Math.Max(0, State.OnHand - quantity);
            State.InTransitOut[transferId] = quantity;
            ReleaseShortfall(change, ReleaseReasons.StockReduced);
            RecordChange(change, "transfer-shipped");
        }

        var position = State.ToPosition();
        await CommitAsync(change);
        return position;
    }

    public async Task<InventoryPosition> CompleteTransitAsync(string transferId)
    {
        var errors = new ValidationErrors();
        errors.RequireId("transferId", transferId);
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        if (State.InTransitOut.Remove(transferId))
        {
            RecordChange(change, "transfer-arrived");
        }

        var position = State.ToPosition();
        await CommitAsync(change);
        return position;
    }

    public async Task<PromiseResult> PromiseAsync(PromiseRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        errors.RequireReservationId("id", request.Id);
        errors.RequirePositive("quantity", request.Quantity);
        errors.ThrowIfAny();
        var change = BeginChange(_time.GetUtcNow());

        var key = request.Id.ToString();
        PromiseResult result;
        if (State.Promises.TryGetValue(key, out var existing))
        {
            result = new PromiseResult { Promised = true, Quantity = existing.Quantity, PromisedAt = existing.PromisedAt(State.Inbound) };
        }
        else
        {
            var parts = new Dictionary<string, int>(StringComparer.Ordinal);
            var need = request.Quantity;
            foreach (var supply in State.Inbound.Values.OrderBy(s => s.ExpectedAt).ThenBy(s => s.Reference, StringComparer.Ordinal))
            {
                var take = Math.Min(need, supply.Quantity - State.PromisedFrom(supply.Reference));
                if (take > 0)
                {
                    parts[supply.Reference] = take;
                    need -= take;
                }
                if (need == 0)
                {
                    break;
                }
            }
            if (need > 0)
            {
                result = new PromiseResult { Promised = false, Quantity = 0 };
            }
            else
            {
                var promise = new InventoryPromise
                {
                    OrderId = request.Id.OrderId,
                    LineId = request.Id.LineId,
                    CreatedAt = change.Now,
                    OrderedAt = request.OrderedAt,
                    Number = ++State.ReservationCounter,
                    Parts = parts,
                };
                State.Promises[key] = promise;
                RecordChange(change, "promised");
                result = new PromiseResult { Promised = true, Quantity = promise.Quantity, PromisedAt = promise.PromisedAt(State.Inbound) };
            }
        }

        await CommitAsync(change);
        return result;
    }

    public async Task ReleasePromiseAsync(ReservationId id)
    {
        ValidateReservationId(id);
        var change = BeginChange(_time.GetUtcNow());

        if (State.Promises.Remove(id.ToString()))
        {
            RecordChange(change, "promise-released");
        }

        await CommitAsync(change);
    }

    /// <summary>
    /// The supply <paramref name="reference"/> arrived (on hand already counts it): its promises, oldest order first,
    /// become reservations as far as available stock goes; the rest of them is given up.
    /// </summary>
    private void ConvertPromises(Change change, string reference)
    {
        foreach (var promise in State.Promises.Values.Where(p => p.QuantityFrom(reference) > 0).Order(InventoryPromise.OldestFirst).ToList())
        {
            var units = promise.QuantityFrom(reference);
            var converted = Math.Min(units, Math.Max(0, State.Available));
            promise.Parts.Remove(reference);
            var key = new ReservationId(promise.OrderId, promise.LineId).ToString();
            if (promise.Parts.Count == 0)
            {
                State.Promises.Remove(key);
            }
            if (converted > 0)
            {
                if (State.Reservations.TryGetValue(key, out var reservation))
                {
                    State.Reservations.Put(key, reservation with { Quantity = reservation.Quantity + converted });
                }
                else
                {
                    State.Reservations.Put(key, new InventoryReservation
                    {
                        OrderId = promise.OrderId,
                        LineId = promise.LineId,
                        Quantity = converted,
                        CreatedAt = change.Now,
                        Number = ++State.ReservationCounter,
                        Held = true,
                        OrderedAt = promise.OrderedAt,
                    });
                }
                RetailMetrics.ReservationMade();
            }
            _promiseChanges.Add((promise, new PromiseChange
            {
                LineId = promise.LineId,
                Converted = converted,
                Released = units - converted,
                PromisedAt = promise.PromisedAt(State.Inbound),
            }, PromiseReasons.Received));
        }
    }

    /// <summary>Gives up <paramref name="units"/> promised from <paramref name="reference"/>, from the newest orders' promises first.</summary>
    private void GiveUpPromises(string reference, int units, string reason)
    {
        foreach (var promise in State.Promises.Values.Where(p => p.QuantityFrom(reference) > 0).OrderDescending(InventoryPromise.OldestFirst).ToList())
        {
            if (units <= 0)
            {
                break;
            }
            var part = promise.QuantityFrom(reference);
            var take = Math.Min(units, part);
            units -= take;
            // A promise is all or nothing: the order promised again, or sourced elsewhere, for the whole of it.
            var released = promise.Quantity;
            State.Promises.Remove(new ReservationId(promise.OrderId, promise.LineId).ToString());
            _promiseChanges.Add((promise, new PromiseChange { LineId = promise.LineId, Released = released }, reason));
        }
    }

    /// <summary>When each promise drawing on <paramref name="reference"/> is due now, to tell which ones a new date moves.</summary>
    private List<(InventoryPromise Promise, DateTimeOffset? Before)> PromiseDates(string reference) =>
        State.Promises.Values.Where(p => p.QuantityFrom(reference) > 0).Select(p => (p, p.PromisedAt(State.Inbound))).ToList();

    private void NoteMovedPromises(List<(InventoryPromise Promise, DateTimeOffset? Before)> dates)
    {
        foreach (var (promise, before) in dates)
        {
            if (!State.Promises.ContainsKey(new ReservationId(promise.OrderId, promise.LineId).ToString()))
            {
                continue;
            }
            var after = promise.PromisedAt(State.Inbound);
            if (after != before)
            {
                _promiseChanges.Add((promise, new PromiseChange { LineId = promise.LineId, PromisedAt = after }, PromiseReasons.Slipped));
            }
        }
    }

    /// <summary>One notice per order and reason, oldest order first, into the outbox of the write that made the changes.</summary>
    private void AddPromiseNotices(DateTimeOffset now)
    {
        foreach (var group in _promiseChanges
            .OrderBy(c => c.Promise, InventoryPromise.OldestFirst)
            .GroupBy(c => (c.Promise.OrderId, c.Reason)))
        {
            State.Outbox.AddPromisesChanged(Key, group.Key.OrderId, new PromisesChanged
            {
                Sku = State.Sku,
                LocationId = State.LocationId,
                Changes = group.Select(c => c.Change).ToList(),
                Reason = group.Key.Reason,
            }, now);
        }
        _promiseChanges.Clear();
    }

    private void RecordInbound(Change change, InboundSupply supply, string reason, int remaining)
    {
        State.Outbox.AddEvent(EventSources.Inventory, EventTypes.InventoryInboundChanged, Key, new InboundChangedEventData
        {
            Sku = State.Sku,
            LocationId = State.LocationId,
            Reference = supply.Reference,
            Kind = supply.Kind,
            Quantity = remaining,
            Promised = remaining == 0 ? 0 : State.PromisedFrom(supply.Reference),
            ExpectedAt = remaining == 0 ? null : supply.ExpectedAt,
            Inbound = State.Inbound.Values.Sum(s => s.Quantity),
            Reason = reason,
        }, change.Now);
        change.StateChanged = true;
    }

    private static string KindOf(string reference) =>
        reference.StartsWith("transfer:", StringComparison.Ordinal) ? InboundKinds.Transfer : InboundKinds.PurchaseOrder;
}
