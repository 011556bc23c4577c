using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;

namespace Retail.Functions.Tests.Fakes;

/// <summary>Records what the bridge asked of an order and enforces the few rules the bridge reacts to.</summary>
public sealed class FakeOrderGrain(FakeGrains grains, string orderId) : IOrderGrain
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, int> cancelled = new(StringComparer.Ordinal);

    public string OrderId { get; } = orderId;
    public CanonicalOrder? Submitted { get; private set; }
    public int SubmitCount { get; private set; }
    public string? PaymentStatus { get; private set; }
    public List<PaymentUpdate> PaymentUpdates { get; } = [];
    public List<CancelRequest> Cancellations { get; } = [];
    public List<RefundConfirmation> Refunds { get; } = [];
    public List<ReturnRequest> Returns { get; } = [];
    public List<object> ErpMessages { get; } = [];

    public async Task<IntakeResult> SubmitAsync(CanonicalOrder order)
    {
        Record("Submit");
        // As the order grain does: it validates the order and claims its channel order, once.
        CanonicalOrderValidator.EnsureValid(order);
        var owner = await grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(order.Channel, order.ChannelOrderId)).ClaimAsync(OrderId);
        if (owner != OrderId)
        {
            return await grains.GetGrain<IOrderGrain>(owner).SubmitAsync(order with { OrderId = owner }) with { Created = false };
        }
        lock (gate)
        {
            SubmitCount++;
            var created = Submitted is null;
            if (created)
            {
                Submitted = order;
                PaymentStatus = order.Payment?.Status;
            }
            return new IntakeResult { OrderId = OrderId, Status = OrderStatus.Received, Created = created };
        }
    }

    public Task<OrderView?> GetAsync()
    {
        Record("Get");
        lock (gate)
        {
            return Task.FromResult(Submitted is null ? null : new OrderView
            {
                OrderId = OrderId,
                Channel = Submitted.Channel,
                ChannelOrderId = Submitted.ChannelOrderId,
                Payment = PaymentStatus is null ? null : new Payment { Status = PaymentStatus },
            });
        }
    }

    public Task<OrderView> UpdatePaymentAsync(PaymentUpdate update)
    {
        Mutate("UpdatePayment", () =>
        {
            if (PaymentStatus == PaymentStatuses.Captured && update.Status == PaymentStatuses.Failed)
            {
                // As the order grain does: money taken cannot be followed by a failure.
                throw new RetailException(ProblemCodes.InvalidTransition, "The payment was captured; a failure cannot follow it.");
            }
            PaymentUpdates.Add(update);
            PaymentStatus = update.Status;
        });
        return Task.FromResult(new OrderView { OrderId = OrderId, Payment = new Payment { Status = update.Status } });
    }

    public Task<OrderView> CancelAsync(CancelRequest request)
    {
        Mutate("Cancel", () =>
        {
            var wanted = request.Lines ?? [.. Submitted!.Lines.Select(line => new LineQuantity { LineId = line.LineId, Quantity = line.Quantity })];
            var open = wanted.Where(line => Remaining(line.LineId) > 0).ToList();
            if (open.Count == 0)
            {
                throw new RetailException(ProblemCodes.InvalidTransition, "Nothing left to cancel.");
            }
            foreach (var line in open)
            {
                cancelled[line.LineId] = cancelled.GetValueOrDefault(line.LineId) + Math.Min(line.Quantity, Remaining(line.LineId));
            }
            Cancellations.Add(request);
        });
        return Task.FromResult(new OrderView { OrderId = OrderId });
    }

    public Task<OrderView> ConfirmRefundAsync(RefundConfirmation confirmation)
    {
        Mutate("ConfirmRefund", () =>
        {
            if (Refunds.All(refund => refund.ProviderRefundId != confirmation.ProviderRefundId))
            {
                Refunds.Add(confirmation);
            }
        });
        return Task.FromResult(new OrderView { OrderId = OrderId });
    }

    public Task<ReturnView> AuthorizeReturnAsync(ReturnRequest request)
    {
        Mutate("AuthorizeReturn", () => Returns.Add(request));
        return Task.FromResult(new ReturnView { ReturnId = request.ReturnId ?? "ret", Lines = request.Lines });
    }

    public Task AcceptPostingAsync(OrderPostingAccepted message) => Erp("AcceptPosting", message);

    public Task RejectPostingAsync(OrderPostingRejected message) => Erp("RejectPosting", message);

    public Task ConfirmShipmentAsync(ShipmentConfirmed message)
    {
        Mutate("ConfirmShipment", () =>
        {
            var unknown = message.Lines.FirstOrDefault(line => Submitted!.Lines.All(ordered => ordered.LineId != line.LineId));
            if (unknown is not null)
            {
                throw new RetailException(ProblemCodes.InvalidTransition, $"Line {unknown.LineId} is not on the order.");
            }
            ErpMessages.Add(message);
        });
        return Task.CompletedTask;
    }

    public Task PostInvoiceAsync(InvoicePosted message) => Erp("PostInvoice", message);

    public Task ReceiveReturnAsync(ReturnReceived message) => Erp("ReceiveReturn", message);

    public Task OnReservationsReleasedAsync(ReservationsReleased released) => throw new NotSupportedException();

    public Task OnPromisesChangedAsync(PromisesChanged changed) => throw new NotSupportedException();

    public Task RetryAsync(string exceptionKind) => throw new NotSupportedException();

    public Task<bool> HoldsReservationAsync(string reservationLineId, string locationId) => throw new NotSupportedException();

    public int CancelledQuantity(string lineId)
    {
        lock (gate)
        {
            return cancelled.GetValueOrDefault(lineId);
        }
    }

    private int Remaining(string lineId) =>
        (Submitted!.Lines.FirstOrDefault(line => line.LineId == lineId)?.Quantity ?? 0) - cancelled.GetValueOrDefault(lineId);

    private Task Erp(string operation, object message)
    {
        Mutate(operation, () => ErpMessages.Add(message));
        return Task.CompletedTask;
    }

    private void Record(string operation) => grains.Record($"IOrderGrain/{OrderId}.{operation}");

    private void Mutate(string operation, Action change)
    {
        Record(operation);
        lock (gate)
        {
            if (Submitted is null)
            {
                throw new RetailException(ProblemCodes.OrderNotFound, $"Order {OrderId} not found.");
            }
            change();
        }
    }
}
