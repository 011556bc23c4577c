using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Grains.Inventory;
using Retail.Grains.Outbox;

namespace Retail.Grains.Orders;

internal sealed partial class OrderGrain
{
    public async Task AcceptPostingAsync(OrderPostingAccepted message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var errors = new ValidationErrors();
        RequireThisOrder(errors, message.OrderId);
        errors.RequireId("erpOrderNumber", message.ErpOrderNumber);
        errors.ThrowIfAny();
        EnsureExists();
        if (State.ReleasedAt is null)
        {
            throw InvalidTransition($"Order {Key} was never posted to the ERP.");
        }
        if (State.PostingAcceptedAt is not null)
        {
            if (State.ErpOrderNumber == message.ErpOrderNumber)
            {
                return;
            }
            throw InvalidTransition($"Order {Key} was accepted by the ERP as {State.ErpOrderNumber}, not {message.ErpOrderNumber}.");
        }

        await ChangeAsync(async now =>
        {
            State.ErpOrderNumber = message.ErpOrderNumber;
            State.PostingAcceptedAt = now;
            State.PostingRejection = null;
            if (State.HoldKind == ExceptionKinds.PostingRejected)
            {
                ClearHold(now, "The ERP accepted the posting.");
            }
            AddTimeline(now, "posting-accepted", $"The ERP accepted the order as {message.ErpOrderNumber}.");
            await CommitAsync(now);
            return true;
        });
    }

    /// <summary>Starts the reason of a posting rejection; the ERP's code follows it (the rejection's exception root).</summary>
    private const string PostingRejectedPrefix = "The ERP rejected the posting: ";

    public async Task RejectPostingAsync(OrderPostingRejected message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var errors = new ValidationErrors();
        RequireThisOrder(errors, message.OrderId);
        if (string.IsNullOrWhiteSpace(message.Code) && string.IsNullOrWhiteSpace(message.Reason))
        {
            errors.Add("reason", "A code or a reason is required.");
        }
        errors.ThrowIfAny();
        EnsureExists();
        if (State.ReleasedAt is null || State.Status == OrderStatus.Cancelled)
        {
            throw InvalidTransition($"Order {Key} is {State.Status} and not posted to the ERP: there is no posting to reject.");
        }
        if (State.PostingAcceptedAt is not null)
        {
            throw InvalidTransition($"The ERP already accepted order {Key} as {State.ErpOrderNumber}.");
        }

        await ChangeAsync(async now =>
        {
            var reason = PostingRejectedPrefix + string.Join(": ", new[] { message.Code, message.Reason }.Where(s => !string.IsNullOrWhiteSpace(s)));
            RaiseAgain(ExceptionKinds.PostingRejected, reason, now);
            State.PostingRejection = reason;
            Hold(now, ExceptionKinds.PostingRejected, reason);
            await CommitAsync(now);
            return true;
        });
    }

    public async Task ConfirmShipmentAsync(ShipmentConfirmed message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var errors = new ValidationErrors();
        RequireThisOrder(errors, message.OrderId);
        errors.RequireId("shipmentId", message.ShipmentId);
        errors.RequireId("locationId", message.LocationId);
        errors.ThrowIfAny();
        ValidateLineQuantities("lines", message.Lines);
        EnsureExists();
        if (State.AppliedShipmentIds.Contains(message.ShipmentId))
        {
            return;
        }
        RequireKnownLines("lines", message.Lines.Select(l => l.LineId));
        var shortfall = message.Lines
            .Select(l => (Request: l, Held: LineOf(l.LineId).Allocations.Where(a => a.LocationId == message.LocationId).Sum(a => a.Open)))
            .Where(l => l.Request.Quantity > l.Held)
            .ToList();
        if (shortfall.Count > 0)
        {
            throw InvalidTransition($"Shipment {message.ShipmentId} ships more from {message.LocationId} than order {Key} holds there: " +
                string.Join(", ", shortfall.Select(s => $"line {s.Request.LineId} holds {s.Held}, not {s.Request.Quantity}")) + ".");
        }

        await ChangeAsync(async now =>
        {
            foreach (var request in message.Lines)
            {
                var line = LineOf(request.LineId);
                var left = request.Quantity;
                var part = 0;
                foreach (var allocation in line.Allocations.Where(a => a.LocationId == message.LocationId && a.Open > 0).ToList())
                {
                    if (left == 0)
                    {
                        break;
                    }
                    var take = Math.Min(left, allocation.Open);
                    part++;
                    var operationId = part == 1 ? $"{message.ShipmentId}/{line.LineId}" : $"{message.ShipmentId}/{line.LineId}/{part}";
                    await InventoryOf(line.Sku, allocation.LocationId).FulfilAsync(operationId, ReservationOf(allocation), take);
                    allocation.Shipped += take;
                    line.Shipped += take;
                    left -= take;
                }
            }
            State.AppliedShipmentIds.Add(message.ShipmentId);
            if (State.Lines.All(l => l.Cancellable == 0))
            {
                State.ShippedAt = message.ShippedAt == default ? now : message.ShippedAt;
            }
            var tracking = message.Carrier is null && message.TrackingNumber is null ? "" : $" ({message.Carrier} {message.TrackingNumber})".Replace("  ", " ", StringComparison.Ordinal);
            AddTimeline(now, "shipped", $"Shipment {message.ShipmentId} from {message.LocationId}{tracking}: {Describe(message.Lines)}.");
            Emit(now, EventTypes.OrderShipped, $"Shipment {message.ShipmentId} from {message.LocationId}.", message.Lines);
            await CommitAsync(now);
            return true;
        });
    }

    public async Task PostInvoiceAsync(InvoicePosted message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var errors = new ValidationErrors();
        RequireThisOrder(errors, message.OrderId);
        errors.RequireId("invoiceId", message.InvoiceId);
        errors.ThrowIfAny();
        var quantities = message.Lines?.Select(l => l is null ? null! : new LineQuantity { LineId = l.LineId, Quantity = l.Quantity }).ToList() ?? [];
        ValidateLineQuantities("lines", quantities);
        EnsureExists();
        if (State.AppliedInvoiceIds.Contains(message.InvoiceId))
        {
            return;
        }
        RequireKnownLines("lines", quantities.Select(l => l.LineId));
        var over = quantities.Where(q => q.Quantity > LineOf(q.LineId).Shipped - LineOf(q.LineId).Invoiced).ToList();
        if (over.Count > 0)
        {
            throw InvalidTransition($"Invoice {message.InvoiceId} bills units of order {Key} that are not shipped or already invoiced: " +
                string.Join(", ", over.Select(q => $"line {q.LineId} has {LineOf(q.LineId).Shipped - LineOf(q.LineId).Invoiced} to invoice, not {q.Quantity}")) + ".");
        }

        await ChangeAsync(async now =>
        {
            foreach (var quantity in quantities)
            {
                LineOf(quantity.LineId).Invoiced += quantity.Quantity;
            }
            State.AppliedInvoiceIds.Add(message.InvoiceId);
            AddTimeline(now, "invoiced", $"Invoice {message.InvoiceId} of {message.Total} {State.Order.Currency}: {Describe(quantities)}.");
            Emit(now, EventTypes.OrderInvoiced, $"Invoice {message.InvoiceId}.", quantities, message.Total);
            await CommitAsync(now);
            return true;
        });
    }

    public async Task<ReturnView> AuthorizeReturnAsync(ReturnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateLineQuantities("lines", request.Lines);
        if (request.ReturnId is { } givenId && !CanonicalOrderValidator.IsValidId(givenId))
        {
            var errors = new ValidationErrors();
            errors.Add("returnId", $"Must be 1-{CanonicalOrderValidator.MaxIdLength} characters of letters, digits, '-', '_', '.' or ':'.");
            errors.ThrowIfAny();
        }
        EnsureExists();
        if (request.ReturnId is not null && State.Returns.FirstOrDefault(r => r.ReturnId == request.ReturnId) is { } existing)
        {
            return ToView(existing);
        }
        RequireKnownLines("lines", request.Lines.Select(l => l.LineId));
        var over = request.Lines.Where(l => l.Quantity > Returnable(LineOf(l.LineId))).ToList();
        if (over.Count > 0)
        {
            throw InvalidTransition($"Only shipped units not yet returned can be returned: " +
                string.Join(", ", over.Select(l => $"line {l.LineId} has {Returnable(LineOf(l.LineId))}, not {l.Quantity}")) + ".");
        }

        return await ChangeAsync(async now =>
        {
            var authorized = new ReturnState
            {
                ReturnId = request.ReturnId ?? Guid.NewGuid().ToString("N"),
                Status = ReturnStatus.Authorized,
                Reason = string.IsNullOrWhiteSpace(request.Reason) ? "Returned by the customer." : request.Reason,
                Lines = request.Lines.ToList(),
                AuthorizedAt = now,
            };
            State.Returns.Add(authorized);
            State.Outbox.AddErpMessage(ErpMessageTypes.ReturnAuthorized, Key, new ReturnAuthorized
            {
                OrderId = Key,
                ReturnId = authorized.ReturnId,
                Reason = authorized.Reason,
                Lines = authorized.Lines,
            }, now);
            AddTimeline(now, "return-authorized", $"Return {authorized.ReturnId} of {Describe(authorized.Lines)}: {authorized.Reason}");
            Emit(now, EventTypes.OrderReturnAuthorized, authorized.Reason, authorized.Lines);
            await CommitAsync(now);
            return ToView(authorized);
        });
    }

    public async Task ReceiveReturnAsync(ReturnReceived message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var errors = new ValidationErrors();
        RequireThisOrder(errors, message.OrderId);
        errors.RequireId("returnId", message.ReturnId);
        if (!CanonicalOrderValidator.IsValidId(message.LocationId ?? ""))
        {
            errors.Add("locationId", "Is required: the location that received the goods.");
        }
        errors.ThrowIfAny();
        var quantities = message.Lines?.Select(l => l is null ? null! : new LineQuantity { LineId = l.LineId, Quantity = l.Quantity }).ToList() ?? [];
        ValidateLineQuantities("lines", quantities);
        EnsureExists();
        var authorized = State.Returns.FirstOrDefault(r => r.ReturnId == message.ReturnId);
        if (authorized is { Status: ReturnStatus.Received })
        {
            return;
        }
        RequireKnownLines("lines", quantities.Select(l => l.LineId));
        var over = quantities.Where(q => q.Quantity > LineOf(q.LineId).Shipped - LineOf(q.LineId).Returned).ToList();
        if (over.Count > 0)
        {
            throw InvalidTransition($"Return {message.ReturnId} brings back more than order {Key} shipped: " +
                string.Join(", ", over.Select(q => $"line {q.LineId} has {LineOf(q.LineId).Shipped - LineOf(q.LineId).Returned} out, not {q.Quantity}")) + ".");
        }

        await ChangeAsync(async now =>
        {
            foreach (var line in message.Lines!.Where(l => l.Resellable))
            {
                await InventoryOf(LineOf(line.LineId).Sku, message.LocationId!).RestockAsync($"{message.ReturnId}/{line.LineId}", line.Quantity);
            }
            if (authorized is null)
            {
                authorized = new ReturnState
                {
                    ReturnId = message.ReturnId,
                    Reason = "Received without an authorization.",
                    AuthorizedAt = now,
                };
                State.Returns.Add(authorized);
            }
            authorized.Status = ReturnStatus.Received;
            authorized.ReceivedAt = message.ReceivedAt == default ? now : message.ReceivedAt;
            authorized.LocationId = message.LocationId;
            authorized.Lines = quantities;
            foreach (var quantity in quantities)
            {
                LineOf(quantity.LineId).Returned += quantity.Quantity;
            }
            decimal? refund = null;
            if (OrderStatusRules.MoneyTaken(State.Payment))
            {
                refund = RequestRefund(now, quantities.Sum(q => OrderStatusRules.ShareOf(LineOf(q.LineId), q.Quantity)), $"Return {message.ReturnId}.", quantities);
                if (refund is not null)
                {
                    authorized.RefundId = State.Refunds[^1].RefundId;
                }
            }
            var resellable = message.Lines!.Where(l => l.Resellable).Sum(l => l.Quantity);
            AddTimeline(now, "returned", $"Return {message.ReturnId} received at {message.LocationId}: {Describe(quantities)}; {resellable} unit(s) back on hand.");
            Emit(now, EventTypes.OrderReturned, $"Return {message.ReturnId} received at {message.LocationId}.", quantities, refund);
            await CommitAsync(now);
            return true;
        });
    }

    /// <summary>Shipped units neither returned nor already authorised for return.</summary>
    private int Returnable(OrderLineState line) =>
        line.Shipped - line.Returned - State.Returns
            .Where(r => r.Status == ReturnStatus.Authorized)
            .SelectMany(r => r.Lines)
            .Where(l => l.LineId == line.LineId)
            .Sum(l => l.Quantity);

    private void RequireThisOrder(ValidationErrors errors, string? orderId)
    {
        if (!string.IsNullOrEmpty(orderId) && orderId != Key)
        {
            errors.Add("orderId", $"Is for order '{orderId}', not '{Key}'.");
        }
    }

    private static string Describe(IEnumerable<LineQuantity> lines) =>
        string.Join(", ", lines.Select(l => $"{l.Quantity} of line {l.LineId}"));
}
