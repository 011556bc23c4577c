namespace Retail.Contracts.Orders;

/// <summary>The answer to an intake: the order and whether this call created it.</summary>
[GenerateSerializer, Immutable, Alias("Retail.IntakeResult")]
public sealed record IntakeResult
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public OrderStatus Status { get; init; }
    /// <summary>False when the intake was a duplicate (same channel and channelOrderId) and changed nothing.</summary>
    [Id(2)] public bool Created { get; init; }
}

/// <summary>A payment provider's news about the order's payment.</summary>
[GenerateSerializer, Immutable, Alias("Retail.PaymentUpdate")]
public sealed record PaymentUpdate
{
    /// <summary><see cref="PaymentStatuses.Authorized"/>, <see cref="PaymentStatuses.Captured"/> or <see cref="PaymentStatuses.Failed"/>.</summary>
    [Id(0)] public string Status { get; init; } = "";
    [Id(1)] public string? Provider { get; init; }
    [Id(2)] public string? Reference { get; init; }
    [Id(3)] public decimal? Amount { get; init; }
    [Id(4)] public string? Reason { get; init; }
}

/// <summary>Cancel the whole order (no <see cref="Lines"/>) or the given quantities of some lines.</summary>
[GenerateSerializer, Immutable, Alias("Retail.CancelRequest")]
public sealed record CancelRequest
{
    [Id(0)] public string Reason { get; init; } = "";
    [Id(1)] public IReadOnlyList<LineQuantity>? Lines { get; init; }
}

/// <summary>A return of shipped units, authorised now and settled when the ERP reports it received.</summary>
[GenerateSerializer, Immutable, Alias("Retail.ReturnRequest")]
public sealed record ReturnRequest
{
    [Id(0)] public string Reason { get; init; } = "";
    [Id(1)] public IReadOnlyList<LineQuantity> Lines { get; init; } = [];
    /// <summary>The caller's id for the return (dedupe key); assigned when absent.</summary>
    [Id(2)] public string? ReturnId { get; init; }
}

/// <summary>The payment provider confirmed that money went back to the customer.</summary>
[GenerateSerializer, Immutable, Alias("Retail.RefundConfirmation")]
public sealed record RefundConfirmation
{
    /// <summary>The provider's refund id (dedupe key).</summary>
    [Id(0)] public string ProviderRefundId { get; init; } = "";
    [Id(1)] public decimal Amount { get; init; }
    [Id(2)] public string? Provider { get; init; }
}

/// <summary>Reservations that an inventory position released on its own (snapshot shortfall or expiry).</summary>
[GenerateSerializer, Immutable, Alias("Retail.ReservationsReleased")]
public sealed record ReservationsReleased
{
    [Id(0)] public string LocationId { get; init; } = "";
    [Id(1)] public string Sku { get; init; } = "";
    [Id(2)] public IReadOnlyList<LineQuantity> Lines { get; init; } = [];
    /// <summary><c>snapshot</c> or <c>expired</c>.</summary>
    [Id(3)] public string Reason { get; init; } = "";
}
