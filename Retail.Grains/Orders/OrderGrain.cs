using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Retail.Contracts;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;
using Retail.Grains.Outbox;
using Retail.Grains.Sourcing;
using Retail.Grains.Telemetry;

namespace Retail.Grains.Orders;

/// <summary>
/// One order's whole lifecycle. Every operation validates first, then calls the inventory with idempotent ids,
/// then writes the change together with every effect it has (events, ERP messages, exception raises and resolves, the
/// directory's summary) in its outbox, which the relay delivers after the write. The status is derived from the lines by
/// <see cref="OrderStatusRules.Derive"/>.
/// </summary>
internal sealed partial class OrderGrain(
    [PersistentState("order", StorageNames.Orders)] IPersistentState<OrderState> state,
    OutboxServices outbox,
    ILogger<OrderGrain> logger,
    IConfiguration configuration,
    TimeProvider timeProvider)
    : OutboxGrain<OrderState>(state, outbox, logger), IOrderGrain
{
    private readonly ILogger<OrderGrain> _logger = logger;
    private readonly OrderOptions _options = OrderOptions.From(configuration);
    private readonly SourcingOptions _sourcing = SourcingOptions.From(configuration);
    private readonly TimeProvider _time = timeProvider;
    private readonly OrderTelemetry _telemetry = new();

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        _telemetry.Loaded(State, StateExists);
        if (!StateExists)
        {
            return;
        }
        await SchedulePaymentTimeoutAsync(_time.GetUtcNow());
    }

    public Task<OrderView?> GetAsync() => Task.FromResult(StateExists ? ToView() : null);

    public async Task<IntakeResult> SubmitAsync(CanonicalOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        CanonicalOrderValidator.EnsureValid(order);
        if (!CanonicalOrderValidator.IsValidId(Key) || (order.OrderId is not null && order.OrderId != Key))
        {
            throw new RetailValidationException(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["orderId"] = [$"Must be the id of the order being submitted ('{Key}')."],
            });
        }
        if (StateExists)
        {
            return RepeatedIntake(order);
        }

        // Claiming the channel order and reading stock change nothing, so they go out together; nothing is reserved
        // before the claim is won, and a claim whose order was never written is completed by the next intake of it.
        var claim = GrainFactory.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(order.Channel, order.ChannelOrderId)).ClaimAsync(Key);
        var picture = new StockSourcer(GrainFactory).ReadAsync(order.Lines.Select(l => l.Sku));
        await Task.WhenAll(claim, picture);
        var owner = await claim;
        if (owner != Key)
        {
            // The channel order is another order's: that order answers (and completes its intake if it never finished).
            var answer = await GrainFactory.GetGrain<IOrderGrain>(owner).SubmitAsync(order with { OrderId = owner });
            return answer with { Created = false };
        }

        return await ChangeAsync(async now =>
        {
            Initialise(order, now);
            // The payment reference is claimed while the order is checked and sourced: both finish before the write.
            var paymentClaim = ClaimPaymentReferenceAsync();
            var intake = CheckAndSourceAsync(now, await picture);
            await Task.WhenAll(paymentClaim, intake);
            NotePaymentReferenceOwner(now, await paymentClaim);
            Transition(now, "intake");
            await CommitAsync(now);
            return new IntakeResult { OrderId = Key, Status = State.Status, Created = true };
        });
    }

    /// <summary>Intake after the order is initialised: held when a check fails, cancelled when the payment failed, else sourced.</summary>
    private async Task CheckAndSourceAsync(DateTimeOffset now, SourcingPicture picture)
    {
        var hold = CheckOrder(picture);
        if (hold is not null)
        {
            Hold(now, hold.Value.Kind, hold.Value.Reason);
        }
        else if (State.Payment is { Status: PaymentStatuses.Failed })
        {
            await CancelQuantitiesAsync(now, State.Lines.Select(l => (l, l.Cancellable)).ToList(), "Payment failed at intake.");
        }
        else
        {
            await SourceAsync(now, picture);
            Transition(now, "sourced");
            await AdvanceAsync(now);
        }
    }

    public async Task RetryAsync(string exceptionKind)
    {
        if (string.IsNullOrWhiteSpace(exceptionKind))
        {
            throw new RetailValidationException(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["exceptionKind"] = ["Is required."] });
        }
        EnsureExists();
        switch (exceptionKind)
        {
            case ExceptionKinds.UnknownSku or ExceptionKinds.TotalsMismatch:
                RequireHold(exceptionKind);
                await ChangeAsync(async now =>
                {
                    var picture = await new StockSourcer(GrainFactory).ReadAsync(State.Lines.Select(l => l.Sku));
                    var hold = CheckOrder(picture);
                    if (hold is not null)
                    {
                        AddTimeline(now, "retry", $"Checks still fail: {hold.Value.Reason}");
                        Hold(now, hold.Value.Kind, hold.Value.Reason);
                    }
                    else
                    {
                        ClearHold(now, "The order's checks pass now.");
                        await SourceAsync(now, picture);
                        Transition(now, "sourced");
                        await AdvanceAsync(now);
                    }
                    await CommitAsync(now);
                    return true;
                });
                return;
            case ExceptionKinds.PaymentTimeout:
                RequireHold(exceptionKind);
                await ChangeAsync(async now =>
                {
                    ClearHold(now, "Sourcing again after the payment timeout.");
                    await SourceAsync(now);
                    Transition(now, "sourced");
                    await AdvanceAsync(now);
                    await CommitAsync(now);
                    return true;
                });
                return;
            case ExceptionKinds.Backordered:
                if (State.Status != OrderStatus.Backordered)
                {
                    throw InvalidTransition($"Order {Key} is {State.Status}, not backordered.");
                }
                await ChangeAsync(async now =>
                {
                    AddTimeline(now, "retry", "Sourcing the backordered quantity again.");
                    await SourceAsync(now);
                    Transition(now, "sourced");
                    await AdvanceAsync(now);
                    await CommitAsync(now);
                    return true;
                });
                return;
            case ExceptionKinds.PostingRejected:
                RequireHold(exceptionKind);
                await ChangeAsync(async now =>
                {
                    ClearHold(now, "Posting to the ERP again.");
                    Post(now);
                    await CommitAsync(now);
                    return true;
                });
                return;
            default:
                throw InvalidTransition($"An exception of kind '{exceptionKind}' has no step of order {Key} to re-run.");
        }
    }

    private IntakeResult RepeatedIntake(CanonicalOrder order)
    {
        if (State.Channel != order.Channel || State.ChannelOrderId != order.ChannelOrderId)
        {
            throw new RetailException(ProblemCodes.IdempotencyConflict,
                $"Order {Key} is {State.Channel} order '{State.ChannelOrderId}', not {order.Channel} order '{order.ChannelOrderId}'.");
        }
        return new IntakeResult { OrderId = Key, Status = State.Status, Created = false };
    }

    private void Initialise(CanonicalOrder order, DateTimeOffset now)
    {
        var totals = order.Totals;
        State.OrderId = Key;
        State.Channel = order.Channel;
        State.ChannelOrderId = order.ChannelOrderId;
        State.ReceivedAt = now;
        State.Order = order with { OrderId = Key };
        State.Payment = order.Payment;
        State.GrandTotal = totals?.GrandTotal ?? order.Lines.Sum(l => (l.Quantity * l.UnitPrice) - l.Discount + l.Tax);
        State.Lines = order.Lines.Select(l => new OrderLineState
        {
            LineId = l.LineId,
            Sku = l.Sku ?? "",
            Ordered = l.Quantity,
            UnitPrice = l.UnitPrice,
            Discount = l.Discount,
            Tax = l.Tax,
        }).ToList();
        State.Status = OrderStatus.Received;
        AddTimeline(now, "received", $"{order.Channel} order '{order.ChannelOrderId}' with {order.Lines.Count} line(s).");
        Emit(now, EventTypes.OrderReceived, null);
    }

    /// <summary>Claims the order's payment reference for this order; answers the owner, or null when there is no reference.</summary>
    private async Task<string?> ClaimPaymentReferenceAsync()
    {
        if (State.Payment is not { Provider: { Length: > 0 } provider, Reference: { Length: > 0 } reference })
        {
            return null;
        }
        return await GrainFactory.GetGrain<IOrderIndexGrain>(OrderIndexKey.ForPaymentReference(provider, reference)).ClaimAsync(Key);
    }

    private void NotePaymentReferenceOwner(DateTimeOffset now, string? owner)
    {
        if (owner is not null && owner != Key && State.Payment is { Provider: { } provider, Reference: { } reference })
        {
            LogPaymentReferenceTaken(_logger, Key, provider, reference, owner);
            AddTimeline(now, "payment-reference", $"Payment {provider} '{reference}' already belongs to order {owner}; payment news for it goes there.");
        }
    }

    /// <summary>The business checks that hold an order rather than reject it: unknown SKUs, then totals.</summary>
    private (string Kind, string Reason)? CheckOrder(SourcingPicture picture)
    {
        var unusable = State.Lines.Where(l => !Skus.IsUsable(l.Sku)).ToList();
        if (unusable.Count > 0)
        {
            return (ExceptionKinds.UnknownSku, string.Join(" ", unusable.Select(l =>
                $"Line {l.LineId} has no usable SKU: {Skus.Problem(l.Sku)}{(string.IsNullOrEmpty(l.Sku) ? "" : $" ('{Shorten(l.Sku)}')")}.")));
        }
        var unknown = picture.Unknown(State.Lines.Select(l => l.Sku));
        if (unknown.Count > 0)
        {
            return (ExceptionKinds.UnknownSku, $"No location stocks SKU {string.Join(", ", unknown)}.");
        }
        if (State.Order.Totals is { } totals)
        {
            var lines = State.Order.Lines;
            var subtotal = lines.Sum(l => l.Quantity * l.UnitPrice);
            var discount = lines.Sum(l => l.Discount);
            var tax = lines.Sum(l => l.Tax);
            var grandTotal = subtotal - discount + totals.Shipping + tax;
            var wrong = new List<string>();
            void Compare(string name, decimal given, decimal expected)
            {
                if (Math.Abs(given - expected) > 0.01m)
                {
                    wrong.Add($"{name} {given} (the lines make {expected})");
                }
            }
            Compare("subtotal", totals.Subtotal, subtotal);
            Compare("discount", totals.Discount, discount);
            Compare("tax", totals.Tax, tax);
            Compare("grandTotal", totals.GrandTotal, grandTotal);
            if (wrong.Count > 0)
            {
                return (ExceptionKinds.TotalsMismatch, $"Totals disagree with the lines: {string.Join("; ", wrong)}.");
            }
        }
        return null;
    }

    /// <summary>
    /// Runs a change. When it fails after touching memory, the activation is dropped so the next call starts from
    /// the stored state; everything the change did outside (reservations, fulfilments) is idempotent on its id.
    /// </summary>
    private async Task<T> ChangeAsync<T>(Func<DateTimeOffset, Task<T>> change)
    {
        try
        {
            return await change(_time.GetUtcNow());
        }
        catch
        {
            DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>Writes the change with its outbox: the exception raises and resolves and the directory's summary go in it too.</summary>
    private async Task CommitAsync(DateTimeOffset now)
    {
        Transition(now, "updated");
        if (State.Status == OrderStatus.Cancelled)
        {
            State.HoldKind = null;
            State.HoldReason = null;
            State.PostingRejection = null;
            State.PaymentDueAt = null;
        }
        State.UpdatedAt = now;
        State.RefundPendingAmount = State.Refunds.Where(r => r.Status == RefundStatus.Pending).Sum(r => r.Amount);
        ReconcileExceptions(now);
        if (_options.ReportToDirectory)
        {
            State.Outbox.AddDirectoryRecord(Key, ToSummary(), now);
        }
        await SaveAsync();
        _telemetry.Saved(State);
        await SchedulePaymentTimeoutAsync(now);
    }

    /// <summary>Raises what the order is held or stuck for and resolves what no longer holds it.</summary>
    private void ReconcileExceptions(DateTimeOffset now)
    {
        var wanted = new Dictionary<string, string>(StringComparer.Ordinal);
        if (State.Refunds.FirstOrDefault(r => r.AfterCancellation && r.Status == RefundStatus.Pending) is { } refund)
        {
            wanted[ExceptionKinds.PaymentAfterCancellation] =
                $"Payment {State.Payment?.Reference} arrived after order {Key} was cancelled; refund {refund.RefundId} of {refund.Amount} {State.Order.Currency} is requested.";
        }
        if (State.Status != OrderStatus.Cancelled)
        {
            if (State.HoldKind is { } holdKind)
            {
                wanted[holdKind] = State.HoldReason ?? holdKind;
            }
            if (State.PostingRejection is { } rejection)
            {
                wanted[ExceptionKinds.PostingRejected] = rejection;
            }
            if (State.Status == OrderStatus.Backordered)
            {
                wanted[ExceptionKinds.Backordered] = BackorderReason();
            }
        }
        foreach (var (kind, reason) in wanted.Where(w => !State.OpenExceptions.ContainsKey(w.Key)))
        {
            State.OpenExceptions[kind] = reason;
            Raise(kind, reason, now);
        }
        foreach (var kind in State.OpenExceptions.Keys.Where(k => !wanted.ContainsKey(k)).ToList())
        {
            State.OpenExceptions.Remove(kind);
            State.Outbox.AddExceptionResolve(Key, kind, Key, $"Order {Key} is {State.Status} now.", now);
        }
    }

    private void Raise(string kind, string reason, DateTimeOffset now) =>
        State.Outbox.AddExceptionRaise(Key, new ExceptionToRaise { Kind = kind, BusinessKey = Key, Reason = reason, Root = RootOf(kind) }, now);

    /// <summary>Counts another failed attempt on an exception that is already open (the registry counts repeats).</summary>
    private void RaiseAgain(string kind, string reason, DateTimeOffset now)
    {
        if (State.OpenExceptions.ContainsKey(kind))
        {
            State.OpenExceptions[kind] = reason;
            Raise(kind, reason, now);
        }
    }

    /// <summary>What groups the order's exception with others: the backordered SKUs, the ERP's error code.</summary>
    private string? RootOf(string kind) => kind switch
    {
        ExceptionKinds.Backordered => string.Join(", ", State.Lines.Where(l => l.Backordered > 0).Select(l => l.Sku).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
        ExceptionKinds.PostingRejected => State.PostingRejection?.Replace(PostingRejectedPrefix, "", StringComparison.Ordinal).Split(": ", 2)[0],
        _ => null,
    };

    /// <summary>A SKU as a reason can show it: control characters as '?', at most 80 characters.</summary>
    private static string Shorten(string sku)
    {
        var shown = new string([.. sku.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);
        return sku.Length > 80 ? shown + "..." : shown;
    }

    private string BackorderReason() =>
        "Backordered: " + string.Join(", ", State.Lines.Where(l => l.Backordered > 0).Select(l => $"{l.Backordered} of line {l.LineId} ({l.Sku})")) + ".";

    private void Hold(DateTimeOffset now, string kind, string reason)
    {
        State.HoldKind = kind;
        State.HoldReason = reason;
        AddTimeline(now, "hold", $"{kind}: {reason}");
        Transition(now, reason);
    }

    private void ClearHold(DateTimeOffset now, string detail)
    {
        AddTimeline(now, "hold-cleared", $"{State.HoldKind}: {detail}");
        State.HoldKind = null;
        State.HoldReason = null;
    }

    private void RequireHold(string kind)
    {
        if (State.HoldKind != kind)
        {
            throw InvalidTransition($"Order {Key} is {State.Status}{(State.HoldKind is null ? "" : $" ({State.HoldKind})")}, not held for {kind}.");
        }
    }

    /// <summary>Moves the stored status to the derived one and tells the world when it changed.</summary>
    private void Transition(DateTimeOffset now, string detail)
    {
        var status = OrderStatusRules.Derive(State);
        if (status == State.Status)
        {
            return;
        }
        State.Status = status;
        AddTimeline(now, "status", $"{status}: {detail}");
        var eventType = status switch
        {
            OrderStatus.Reserved => EventTypes.OrderReserved,
            OrderStatus.Backordered => EventTypes.OrderBackordered,
            OrderStatus.Promised => EventTypes.OrderPromised,
            OrderStatus.OnHold => EventTypes.OrderOnHold,
            OrderStatus.Released => EventTypes.OrderReleased,
            OrderStatus.Completed => EventTypes.OrderCompleted,
            // Shipments and cancellations announce themselves with their own events.
            _ => null,
        };
        if (eventType is not null)
        {
            Emit(now, eventType, status == OrderStatus.OnHold ? State.HoldReason : detail);
        }
    }

    private void Emit(DateTimeOffset now, string eventType, string? detail, IReadOnlyList<LineQuantity>? lines = null, decimal? amount = null) =>
        State.Outbox.AddEvent(EventSources.Orders, eventType, Key, new OrderEventData
        {
            OrderId = Key,
            Channel = State.Channel,
            ChannelOrderId = State.ChannelOrderId,
            Status = OrderStatusRules.Derive(State),
            Detail = detail,
            Lines = lines,
            Amount = amount,
            Promises = OpenPromises(),
        }, now);

    private void AddTimeline(DateTimeOffset now, string type, string detail) =>
        State.Timeline.Add(new TimelineEntry { At = now, Type = type, Detail = detail, CorrelationId = OutboxWriter.CurrentCorrelationId() });

    private void EnsureExists()
    {
        if (!StateExists)
        {
            throw new RetailException(ProblemCodes.OrderNotFound, $"Order '{Key}' does not exist.");
        }
    }

    private static RetailException InvalidTransition(string message) => new(ProblemCodes.InvalidTransition, message);

    private OrderLineState LineOf(string lineId) => State.Lines.First(l => l.LineId == lineId);

    private IInventoryGrain InventoryOf(string sku, string locationId) => GrainFactory.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId));

    private ReservationId ReservationOf(AllocationState allocation) => new(Key, allocation.ReservationLineId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId}: payment {Provider} '{Reference}' is already claimed by order {Owner}")]
    private static partial void LogPaymentReferenceTaken(ILogger logger, string orderId, string provider, string reference, string owner);

}
