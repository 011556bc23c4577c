using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;
using Retail.Grains.Inventory;
using Retail.Grains.Outbox;

namespace Retail.Grains.Orders;

internal sealed partial class OrderGrain
{
    /// <summary>
    /// The payment provider's news, in any order and any number of times: the order decides what it means. Pending news
    /// and repeats change nothing; an authorization after its capture is late news; a capture after a failure is a retried
    /// card that went through (on an order cancelled meanwhile: a refund to make and an exception for a person); a failure
    /// after a capture is refused, because money taken cannot un-happen by a failure.
    /// </summary>
    public async Task<OrderView> UpdatePaymentAsync(PaymentUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        var errors = new ValidationErrors();
        if (!PaymentStatuses.All.Contains(update.Status))
        {
            errors.Add("status", "Must be 'pending', 'authorized', 'captured' or 'failed'.");
        }
        if (update.Amount is < 0)
        {
            errors.Add("amount", "Must not be negative.");
        }
        errors.ThrowIfAny();
        EnsureExists();

        var current = State.Payment?.Status;
        if (current == PaymentStatuses.Captured && update.Status == PaymentStatuses.Failed)
        {
            throw InvalidTransition($"The payment of order {Key} was captured; a failure cannot follow it (refund it instead).");
        }
        if (current == update.Status
            || update.Status == PaymentStatuses.Pending
            || (current == PaymentStatuses.Captured && update.Status == PaymentStatuses.Authorized))
        {
            // A repeat, news of a payment still pending, or an authorization arriving after its capture: nothing new.
            return ToView();
        }

        return await ChangeAsync(async now =>
        {
            var moneyWasTaken = OrderStatusRules.MoneyTaken(State.Payment);
            State.Payment = new Payment
            {
                Provider = update.Provider ?? State.Payment?.Provider,
                Reference = update.Reference ?? State.Payment?.Reference,
                Status = update.Status,
            };
            AddTimeline(now, "payment", $"Payment {update.Status}{(update.Amount is { } amount ? $" ({amount} {State.Order.Currency})" : "")}{(update.Reason is { Length: > 0 } reason ? $": {reason}" : "")}.");
            if (update.Reference is not null)
            {
                NotePaymentReferenceOwner(now, await ClaimPaymentReferenceAsync());
            }

            if (update.Status == PaymentStatuses.Failed)
            {
                var open = State.Lines.Where(l => l.Cancellable > 0).Select(l => (l, l.Cancellable)).ToList();
                if (open.Count > 0)
                {
                    await CancelQuantitiesAsync(now, open, $"Payment failed{(update.Reason is { Length: > 0 } why ? $": {why}" : "")}.");
                }
            }
            else if (State.Status == OrderStatus.Cancelled)
            {
                if (!moneyWasTaken)
                {
                    // Money taken for an order that no longer exists goes back, and a person sees it until it has.
                    var owed = (update.Amount ?? State.GrandTotal) - State.Refunds.Sum(r => r.Amount);
                    if (RequestRefund(now, owed, "Payment received for a cancelled order.", []) is not null)
                    {
                        State.Refunds[^1].AfterCancellation = true;
                    }
                }
            }
            else
            {
                if (State.HoldKind == ExceptionKinds.PaymentTimeout)
                {
                    ClearHold(now, "The payment arrived.");
                    await SourceAsync(now);
                    Transition(now, "sourced again");
                }
                await AdvanceAsync(now);
            }
            await CommitAsync(now);
            return ToView();
        });
    }

    public async Task<OrderView> CancelAsync(CancelRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var byLine = request.Lines is { Count: > 0 };
        if (byLine)
        {
            ValidateLineQuantities("lines", request.Lines!);
        }
        EnsureExists();
        List<(OrderLineState Line, int Quantity)> cancel;
        if (byLine)
        {
            RequireKnownLines("lines", request.Lines!.Select(l => l.LineId));
            cancel = request.Lines!.Select(l => (LineOf(l.LineId), l.Quantity)).ToList();
            var tooMany = cancel.Where(c => c.Quantity > c.Line.Cancellable).ToList();
            if (tooMany.Count > 0)
            {
                throw InvalidTransition("Only unshipped, uncancelled units can be cancelled: " +
                    string.Join(", ", tooMany.Select(c => $"line {c.Line.LineId} has {c.Line.Cancellable}, not {c.Quantity}")) + ".");
            }
        }
        else
        {
            cancel = State.Lines.Where(l => l.Cancellable > 0).Select(l => (l, l.Cancellable)).ToList();
            if (cancel.Count == 0)
            {
                throw InvalidTransition($"Order {Key} is {State.Status}: nothing is left to cancel.");
            }
        }

        return await ChangeAsync(async now =>
        {
            var reason = string.IsNullOrWhiteSpace(request.Reason) ? "Cancelled on request." : request.Reason;
            await CancelQuantitiesAsync(now, cancel, reason);
            await CommitAsync(now);
            return ToView();
        });
    }

    public async Task<OrderView> ConfirmRefundAsync(RefundConfirmation confirmation)
    {
        ArgumentNullException.ThrowIfNull(confirmation);
        var errors = new ValidationErrors();
        errors.RequireId("providerRefundId", confirmation.ProviderRefundId);
        if (confirmation.Amount <= 0)
        {
            errors.Add("amount", "Must be positive.");
        }
        errors.ThrowIfAny();
        EnsureExists();
        if (State.AppliedProviderRefundIds.Contains(confirmation.ProviderRefundId))
        {
            return ToView();
        }

        return await ChangeAsync(async now =>
        {
            var left = confirmation.Amount;
            var settled = new List<string>();
            foreach (var refund in State.Refunds.Where(r => r.Status == RefundStatus.Pending).OrderBy(r => r.RequestedAt).ToList())
            {
                if (left <= 0)
                {
                    break;
                }
                if (left >= refund.Amount - 0.005m)
                {
                    refund.Status = RefundStatus.Confirmed;
                    refund.ConfirmedAt = now;
                    refund.ProviderRefundIds.Add(confirmation.ProviderRefundId);
                    left -= refund.Amount;
                    settled.Add(refund.RefundId);
                    foreach (var quantity in refund.Lines)
                    {
                        var line = LineOf(quantity.LineId);
                        line.Refunded = Math.Min(line.Cancelled + line.Returned, line.Refunded + quantity.Quantity);
                    }
                }
                else
                {
                    // Part of a requested refund: the rest stays pending.
                    refund.Amount -= left;
                    State.Refunds.Add(ConfirmedRefund(confirmation.ProviderRefundId, left, $"Part of refund {refund.RefundId}.", now));
                    settled.Add($"part of {refund.RefundId}");
                    left = 0;
                }
            }
            if (left > 0.005m)
            {
                State.Refunds.Add(ConfirmedRefund(confirmation.ProviderRefundId, left, "Confirmed by the payment provider without a matching request.", now));
                settled.Add("an unrequested refund");
            }
            State.AppliedProviderRefundIds.Add(confirmation.ProviderRefundId);
            AddTimeline(now, "refund-confirmed", $"Refund {confirmation.ProviderRefundId} of {confirmation.Amount} {State.Order.Currency} settled {string.Join(", ", settled)}.");
            Emit(now, EventTypes.OrderRefunded, $"Refund {confirmation.ProviderRefundId} confirmed.", amount: confirmation.Amount);
            await CommitAsync(now);
            return ToView();
        });
    }

    private static RefundState ConfirmedRefund(string providerRefundId, decimal amount, string reason, DateTimeOffset now) => new()
    {
        RefundId = providerRefundId,
        Amount = amount,
        Status = RefundStatus.Confirmed,
        Reason = reason,
        RequestedAt = now,
        ConfirmedAt = now,
        ProviderRefundIds = [providerRefundId],
    };

    /// <summary>
    /// Cancels units not yet shipped: first those no location holds, then the newest reservations. A reservation
    /// only partly cancelled is released and taken again for the units that stay (the inventory has no "reduce");
    /// if the stock went meanwhile, those units are sourced again like any other.
    /// </summary>
    private async Task CancelQuantitiesAsync(DateTimeOffset now, List<(OrderLineState Line, int Quantity)> cancel, string reason)
    {
        var retaken = false;
        foreach (var (line, quantity) in cancel)
        {
            var left = quantity - Math.Min(quantity, line.Backordered);
            (left, var promiseKept) = await CancelPromisedAsync(line, left);
            retaken |= promiseKept;
            foreach (var allocation in line.Allocations.Where(a => a.Open > 0).Reverse().ToList())
            {
                if (left == 0)
                {
                    break;
                }
                var keep = Math.Max(0, allocation.Open - left);
                left -= allocation.Open - keep;
                await InventoryOf(line.Sku, allocation.LocationId).ReleaseAsync(ReservationOf(allocation));
                var released = allocation.Open;
                MarkReleased(allocation, released, "cancelled");
                if (keep > 0)
                {
                    await RetakeAsync(now, line, allocation, keep);
                    retaken = true;
                }
            }
            line.Cancelled += quantity;
        }

        var lines = cancel.Select(c => new LineQuantity { LineId = c.Line.LineId, Quantity = c.Quantity }).ToList();
        var wholeOrder = State.Lines.All(l => l.Cancelled >= l.Ordered);
        decimal? refunded = null;
        if (OrderStatusRules.MoneyTaken(State.Payment))
        {
            var amount = wholeOrder
                ? State.GrandTotal - State.Refunds.Sum(r => r.Amount)
                : cancel.Sum(c => OrderStatusRules.ShareOf(c.Line, c.Quantity));
            refunded = RequestRefund(now, amount, reason, lines);
        }
        if (State.ReleasedAt is not null)
        {
            State.Outbox.AddErpMessage(ErpMessageTypes.OrderLinesCancelled, Key, new OrderLinesCancelled { OrderId = Key, Reason = reason, Lines = lines }, now);
        }
        AddTimeline(now, "cancelled", $"{string.Join(", ", lines.Select(l => $"{l.Quantity} of line {l.LineId}"))} cancelled: {reason}");
        Emit(now, EventTypes.OrderCancelled, reason, lines, refunded);
        if (retaken && !wholeOrder)
        {
            await SourceAsync(now);
        }
        Transition(now, "cancelled");
        await AdvanceAsync(now);
    }

    /// <summary>Reserves again, at the same location, the units of a partly cancelled reservation that stay.</summary>
    private async Task RetakeAsync(DateTimeOffset now, OrderLineState line, AllocationState previous, int quantity)
    {
        if (previous.ExpiresAt is { } expiry && expiry <= now)
        {
            // The payment is overdue: the units stay unreserved and the payment timeout handles the order.
            return;
        }
        var reservationLineId = Numbering().Next(line.LineId, previous.LocationId);
        var result = await InventoryOf(line.Sku, previous.LocationId).ReserveAsync(new ReservationRequest
        {
            Id = new ReservationId(Key, reservationLineId),
            Quantity = quantity,
            ExpiresAt = previous.ExpiresAt,
        });
        if (result.Reserved && result.Quantity > 0)
        {
            line.Allocations.Add(new AllocationState
            {
                LocationId = previous.LocationId,
                ReservationLineId = reservationLineId,
                Quantity = result.Quantity,
                ExpiresAt = previous.ExpiresAt,
                ReservedAt = now,
            });
        }
    }

    /// <summary>Records money owed back to the customer and asks for it; answers the amount, or null when nothing is owed.</summary>
    private decimal? RequestRefund(DateTimeOffset now, decimal amount, string reason, List<LineQuantity> lines)
    {
        amount = Math.Round(amount, 2, MidpointRounding.AwayFromZero);
        if (amount <= 0)
        {
            return null;
        }
        var refund = new RefundState
        {
            RefundId = $"{Key}-refund-{State.Refunds.Count + 1}",
            Amount = amount,
            Status = RefundStatus.Pending,
            Reason = reason,
            RequestedAt = now,
            Lines = lines,
        };
        State.Refunds.Add(refund);
        State.Outbox.AddErpMessage(ErpMessageTypes.RefundRequested, Key, new RefundRequested
        {
            OrderId = Key,
            RefundId = refund.RefundId,
            Amount = amount,
            Currency = State.Order.Currency,
            Reason = reason,
            PaymentProvider = State.Payment?.Provider,
            PaymentReference = State.Payment?.Reference,
        }, now);
        AddTimeline(now, "refund-requested", $"Refund {refund.RefundId} of {amount} {State.Order.Currency} requested: {reason}");
        return amount;
    }

    /// <summary>Checks a list of line quantities: present, positive, each line once.</summary>
    private static void ValidateLineQuantities(string field, IReadOnlyList<LineQuantity> lines)
    {
        var errors = new ValidationErrors();
        if (lines is null || lines.Count == 0)
        {
            errors.Add(field, "At least one line is required.");
            errors.ThrowIfAny();
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line is null)
            {
                errors.Add($"{field}[{i}]", "Must not be null.");
                continue;
            }
            if (string.IsNullOrWhiteSpace(line.LineId))
            {
                errors.Add($"{field}[{i}].lineId", "Is required.");
            }
            else if (!seen.Add(line.LineId))
            {
                errors.Add($"{field}[{i}].lineId", $"Duplicate lineId '{line.LineId}'.");
            }
            if (line.Quantity <= 0)
            {
                errors.Add($"{field}[{i}].quantity", "Must be a positive integer.");
            }
        }
        errors.ThrowIfAny();
    }

    private void RequireKnownLines(string field, IEnumerable<string> lineIds)
    {
        var errors = new ValidationErrors();
        var index = 0;
        foreach (var lineId in lineIds)
        {
            if (!State.Lines.Any(l => l.LineId == lineId))
            {
                errors.Add($"{field}[{index}].lineId", $"Order {Key} has no line '{lineId}'.");
            }
            index++;
        }
        errors.ThrowIfAny();
    }
}
