using Retail.Contracts.Erp;

namespace Retail.Contracts.Orders;

/// <summary>
/// One order's whole lifecycle (key: orderId). Every method is idempotent on its natural key; an operation
/// that the order's state does not allow throws <see cref="RetailException"/> with
/// <see cref="ProblemCodes.InvalidTransition"/>; an unknown order throws with <see cref="ProblemCodes.OrderNotFound"/>.
/// </summary>
[Alias("Retail.IOrderGrain")]
public interface IOrderGrain : IGrainWithStringKey
{
    /// <summary>Intake: stores the order, runs the business checks, sources and reserves.</summary>
    [Alias("Submit")]
    Task<IntakeResult> SubmitAsync(CanonicalOrder order);

    /// <summary>The order, or null when no order has this id.</summary>
    [Alias("Get")]
    Task<OrderView?> GetAsync();

    [Alias("UpdatePayment")]
    Task<OrderView> UpdatePaymentAsync(PaymentUpdate update);

    [Alias("Cancel")]
    Task<OrderView> CancelAsync(CancelRequest request);

    [Alias("ConfirmRefund")]
    Task<OrderView> ConfirmRefundAsync(RefundConfirmation confirmation);

    [Alias("AuthorizeReturn")]
    Task<ReturnView> AuthorizeReturnAsync(ReturnRequest request);

    [Alias("AcceptPosting")]
    Task AcceptPostingAsync(OrderPostingAccepted message);

    [Alias("RejectPosting")]
    Task RejectPostingAsync(OrderPostingRejected message);

    [Alias("ConfirmShipment")]
    Task ConfirmShipmentAsync(ShipmentConfirmed message);

    [Alias("PostInvoice")]
    Task PostInvoiceAsync(InvoicePosted message);

    [Alias("ReceiveReturn")]
    Task ReceiveReturnAsync(ReturnReceived message);

    /// <summary>An inventory position released some of this order's reservations; the order re-sources them or backorders.</summary>
    [Alias("OnReservationsReleased")]
    Task OnReservationsReleasedAsync(ReservationsReleased released);

    /// <summary>An inventory position turned promises of this order into reservations, gave them up or moved their date.</summary>
    [Alias("OnPromisesChanged")]
    Task OnPromisesChangedAsync(Inventory.PromisesChanged changed);

    /// <summary>Re-runs the step that an exception of this kind is holding (sourcing, posting, business checks).</summary>
    [Alias("Retry")]
    Task RetryAsync(string exceptionKind);

    /// <summary>
    /// Whether this order holds reservation <paramref name="reservationLineId"/> at <paramref name="locationId"/>. An
    /// inventory position asks about a reservation no order has confirmed yet: an intake that failed after reserving and
    /// before the order was written (its silo died) leaves one that nobody holds. Answers from memory, between the
    /// order's own turns, so that it never waits on a position that waits on it.
    /// </summary>
    [Alias("HoldsReservation"), Orleans.Concurrency.AlwaysInterleave]
    Task<bool> HoldsReservationAsync(string reservationLineId, string locationId);
}

/// <summary>Maps channel + channelOrderId to the orderId that owns it (key: <see cref="OrderIndexKey.For"/>).</summary>
[Alias("Retail.IOrderIndexGrain")]
public interface IOrderIndexGrain : IGrainWithStringKey
{
    /// <summary>Claims the key for <paramref name="orderId"/> and answers the owner: the given id, or the earlier claimant's.</summary>
    [Alias("Claim")]
    Task<string> ClaimAsync(string orderId);

    [Alias("Lookup")]
    Task<string?> LookupAsync();
}

public static class OrderIndexKey
{
    public static string For(string channel, string channelOrderId) => $"{channel}/{channelOrderId}";

    /// <summary>The index key under which a payment reference (e.g. a Stripe payment intent) finds its order.</summary>
    public static string ForPaymentReference(string provider, string reference) => $"payment:{provider}/{reference}";
}
