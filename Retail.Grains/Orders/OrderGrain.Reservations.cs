using Microsoft.Extensions.Logging;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;
using Retail.Grains.Inventory;
using Retail.Grains.Outbox;
using Retail.Grains.Sourcing;

namespace Retail.Grains.Orders;

internal sealed partial class OrderGrain
{
    private const string PaymentReminderName = "payment-timeout";
    private static readonly TimeSpan PaymentReminderPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PaymentReminderGrace = TimeSpan.FromSeconds(5);

    private IGrainTimer? _paymentTimer;
    private DateTimeOffset? _paymentTimerDue;
    private bool _paymentReminderRegistered;

    public async Task OnReservationsReleasedAsync(ReservationsReleased released)
    {
        ArgumentNullException.ThrowIfNull(released);
        var errors = new ValidationErrors();
        errors.RequireId("locationId", released.LocationId);
        if (!Skus.IsUsable(released.Sku))
        {
            errors.Add("sku", $"Must be a usable SKU: {Skus.Problem(released.Sku)}.");
        }
        if (released.Lines is null || released.Lines.Count == 0)
        {
            errors.Add("lines", "At least one line is required.");
        }
        errors.ThrowIfAny();
        EnsureExists();

        var matches = released.Lines!
            .Select(l => (Released: l, Allocation: State.Lines.SelectMany(line => line.Allocations).FirstOrDefault(a =>
                a.ReservationLineId == l.LineId && a.LocationId == released.LocationId && a.Open > 0)))
            .Where(m => m.Allocation is not null)
            .ToList();
        if (matches.Count == 0)
        {
            // Already given up by the order itself (cancelled, timed out): nothing more to do.
            return;
        }

        await ChangeAsync(async now =>
        {
            foreach (var (line, allocation) in matches)
            {
                MarkReleased(allocation!, Math.Min(line.Quantity, allocation!.Open), $"released by {InventoryKey.For(released.Sku, released.LocationId)}: {released.Reason}");
            }
            AddTimeline(now, "reservations-released",
                $"{InventoryKey.For(released.Sku, released.LocationId)} released {string.Join(", ", matches.Select(m => $"{m.Released.Quantity} of {m.Released.LineId}"))} ({released.Reason}).");
            if (released.Reason == ReleaseReasons.Expired && !OrderStatusRules.IsPaid(State.Payment))
            {
                await TimeOutPaymentAsync(now);
            }
            else
            {
                await SourceAsync(now, takeFromNewer: true);
                Transition(now, "sourced again");
                await AdvanceAsync(now);
            }
            await CommitAsync(now);
            return true;
        });
    }

    /// <summary>Sources and reserves every line's unplaced quantity; what no location has stays backordered.</summary>
    /// <param name="now">The change's time.</param>
    /// <param name="picture">Locations and availability already read for this change, or null to read them.</param>
    /// <param name="takeFromNewer">
    /// The order lost stock it held: what free stock lacks is taken from newer orders' reservations, so that an older
    /// order never ends worse off than a newer one.
    /// </param>
    private async Task SourceAsync(DateTimeOffset now, SourcingPicture? picture = null, bool takeFromNewer = false)
    {
        State.Sourced = true;
        var wanted = State.Lines.Where(l => l.Backordered > 0).Select(l => new SourcingLine(l.LineId, l.Sku, l.Backordered)).ToList();
        if (wanted.Count == 0)
        {
            return;
        }
        DateTimeOffset? expiresAt = null;
        if (!OrderStatusRules.IsPaid(State.Payment))
        {
            expiresAt = State.PaymentDueAt is { } due && due > now ? due : now + _options.PaymentTimeout;
            State.PaymentDueAt = expiresAt;
        }

        var outcome = await new StockSourcer(GrainFactory).SourceAsync(
            Key, State.Order.Fulfillment, wanted, Numbering(), expiresAt, new OrderAge(State.ReceivedAt, takeFromNewer), picture);
        foreach (var taken in outcome.Reservations)
        {
            LineOf(taken.LineId).Allocations.Add(new AllocationState
            {
                LocationId = taken.LocationId,
                ReservationLineId = taken.ReservationLineId,
                Quantity = taken.Quantity,
                ExpiresAt = expiresAt,
                ReservedAt = now,
            });
        }
        var promised = await PromiseFromInboundAsync(now, picture);
        var reserved = outcome.Reservations.Select(r => $"{r.Quantity} of line {r.LineId} at {r.LocationId}");
        var backordered = State.Lines.Where(l => l.Backordered > 0).Select(l => $"{l.Backordered} of line {l.LineId} backordered");
        AddTimeline(now, "sourced", string.Join("; ", reserved.Concat(promised).Concat(backordered)) + ".");
    }

    private ReservationNumbering Numbering() =>
        new(State.Lines.SelectMany(l => l.Allocations.Select(a => (l.LineId, a.LocationId)).Concat(l.Promises.Select(p => (l.LineId, p.LocationId)))));

    /// <summary>
    /// What a paid order does next: its reservations stop expiring (one that lapsed meanwhile is sourced again) and,
    /// once every line is reserved and nothing holds it, it is posted to the ERP.
    /// </summary>
    private async Task AdvanceAsync(DateTimeOffset now)
    {
        if (!OrderStatusRules.IsPaid(State.Payment) || State.HoldKind is not null || OrderStatusRules.Derive(State) == OrderStatus.Cancelled)
        {
            return;
        }
        State.PaymentDueAt = null;
        var unconfirmed = State.Lines
            .SelectMany(line => line.Allocations.Where(a => a.Open > 0 && a.ExpiresAt is not null).Select(a => (line.Sku, Allocation: a)))
            .ToList();
        var confirmed = await Task.WhenAll(unconfirmed.Select(u => ConfirmAsync(u.Sku, u.Allocation)));
        var lapsed = false;
        foreach (var ((_, allocation), held) in unconfirmed.Zip(confirmed))
        {
            if (held)
            {
                allocation.ExpiresAt = null;
            }
            else
            {
                MarkReleased(allocation, allocation.Open, "lapsed before the payment arrived");
                lapsed = true;
            }
        }
        if (lapsed)
        {
            await SourceAsync(now);
        }
        Transition(now, "paid");
        if (State.ReleasedAt is null && State.Lines.All(l => l.Backordered == 0 && l.Promised == 0))
        {
            Post(now);
        }
    }

    /// <summary>Makes a reservation permanent; false when the position no longer holds it (it lapsed or was released).</summary>
    private async Task<bool> ConfirmAsync(string sku, AllocationState allocation)
    {
        try
        {
            await InventoryOf(sku, allocation.LocationId).ConfirmAsync(ReservationOf(allocation));
            return true;
        }
        catch (RetailException exception) when (exception.Code == ProblemCodes.InventoryNotFound)
        {
            return false;
        }
    }

    /// <summary>Sends the order with its allocations to the ERP (again, after a rejection).</summary>
    private void Post(DateTimeOffset now)
    {
        State.ReleasedAt = now;
        var allocations = State.Lines.Select(l => new LineAllocations
        {
            LineId = l.LineId,
            Locations = AllocationsByLocation(l),
        }).ToList();
        State.Outbox.AddErpMessage(ErpMessageTypes.SalesOrderPosted, Key, new SalesOrderPosted { Order = State.Order, Allocations = allocations }, now);
        AddTimeline(now, "posted", "Sales order posted to the ERP.");
        Transition(now, "posted to the ERP");
    }

    /// <summary>Units reserved or shipped per location.</summary>
    private static List<Allocation> AllocationsByLocation(OrderLineState line) =>
        line.Allocations
            .Where(a => a.Open + a.Shipped > 0)
            .GroupBy(a => a.LocationId, StringComparer.Ordinal)
            .Select(g => new Allocation { LocationId = g.Key, Quantity = g.Sum(a => a.Open + a.Shipped) })
            .ToList();

    private static void MarkReleased(AllocationState allocation, int quantity, string reason)
    {
        allocation.Released += quantity;
        allocation.ReleaseReason = reason;
    }

    /// <summary>Gives back every open reservation (except those the inventory already released) and holds the order.</summary>
    private async Task ReleaseAllAsync(string reason)
    {
        var open = State.Lines.SelectMany(line => line.Allocations.Where(a => a.Open > 0).Select(a => (line.Sku, Allocation: a))).ToList();
        await Task.WhenAll(open.Select(o => InventoryOf(o.Sku, o.Allocation.LocationId).ReleaseAsync(ReservationOf(o.Allocation))));
        foreach (var (_, allocation) in open)
        {
            MarkReleased(allocation, allocation.Open, reason);
        }
        await ReleasePromisesAsync(State.Lines, reason);
    }

    private async Task TimeOutPaymentAsync(DateTimeOffset now)
    {
        await ReleaseAllAsync("payment timeout");
        State.PaymentDueAt = null;
        Hold(now, ExceptionKinds.PaymentTimeout, $"No payment within {_options.PaymentTimeout}; the reservations were released.");
    }

    /// <summary>Whether an unpaid reservation is waiting for its payment.</summary>
    private bool AwaitingPayment =>
        StateExists
        && State.Payment is { Status: PaymentStatuses.Pending }
        && State.HoldKind is null
        && State.PaymentDueAt is not null
        && State.Lines.Any(l => l.Allocations.Any(a => a.Open > 0 && a.ExpiresAt is not null) || l.Promised > 0);

    /// <summary>
    /// A grain timer fires at the payment's due time while the grain is active; a reminder (at least a minute apart)
    /// brings the grain back after a deactivation or a silo failure.
    /// </summary>
    private async Task SchedulePaymentTimeoutAsync(DateTimeOffset now)
    {
        if (!AwaitingPayment)
        {
            _paymentTimer?.Dispose();
            _paymentTimer = null;
            _paymentTimerDue = null;
            if (_paymentReminderRegistered)
            {
                await UpdatePaymentReminderAsync(null);
            }
            return;
        }
        var due = State.PaymentDueAt!.Value;
        var wait = due - now;
        if (_paymentTimerDue != due)
        {
            _paymentTimer?.Dispose();
            _paymentTimer = this.RegisterGrainTimer(OnPaymentDueAsync, new GrainTimerCreationOptions
            {
                DueTime = wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
                Period = Timeout.InfiniteTimeSpan,
                KeepAlive = true,
            });
            _paymentTimerDue = due;
        }
        if (!_paymentReminderRegistered)
        {
            await UpdatePaymentReminderAsync((wait > TimeSpan.Zero ? wait : TimeSpan.Zero) + PaymentReminderGrace);
        }
    }

    /// <summary>Registers the reminder due after <paramref name="dueIn"/>, or removes it when null.</summary>
    private async Task UpdatePaymentReminderAsync(TimeSpan? dueIn)
    {
        try
        {
            if (dueIn is { } due)
            {
                await this.RegisterOrUpdateReminder(PaymentReminderName, due, PaymentReminderPeriod);
            }
            else if (await this.GetReminder(PaymentReminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
            _paymentReminderRegistered = dueIn is not null;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The change is written; the timer still fires while the grain is active, and the next change tries again.
            LogPaymentReminderFailed(_logger, exception, Key);
        }
    }

    private async Task OnPaymentDueAsync(CancellationToken cancellationToken)
    {
        _paymentTimer?.Dispose();
        _paymentTimer = null;
        _paymentTimerDue = null;
        try
        {
            await TimeOutIfDueAsync();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The activation was dropped; the reminder brings the order back to try again.
            LogPaymentTimeoutFailed(_logger, exception, Key);
        }
    }

    protected override async Task OnReminderAsync(string reminderName, TickStatus status)
    {
        if (reminderName != PaymentReminderName)
        {
            return;
        }
        _paymentReminderRegistered = true;
        await TimeOutIfDueAsync();
    }

    private async Task TimeOutIfDueAsync()
    {
        var now = _time.GetUtcNow();
        if (AwaitingPayment && State.PaymentDueAt <= now)
        {
            await ChangeAsync(async at =>
            {
                await TimeOutPaymentAsync(at);
                await CommitAsync(at);
                return true;
            });
            return;
        }
        await SchedulePaymentTimeoutAsync(now);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Updating the payment reminder of order {OrderId} failed")]
    private static partial void LogPaymentReminderFailed(ILogger logger, Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Timing out the payment of order {OrderId} failed; the reminder retries")]
    private static partial void LogPaymentTimeoutFailed(ILogger logger, Exception exception, string orderId);
}
