namespace Retail.Contracts.Inventory;

/// <summary>The kinds of inbound supply a position may expect.</summary>
public static class InboundKinds
{
    public const string PurchaseOrder = "purchase-order";
    public const string Transfer = "transfer";
}

/// <summary>
/// Names a supply document at a position: <c>po:{poId}</c> for a purchase order, <c>transfer:{transferId}</c> for a
/// transfer. The reference is the supply's dedupe key at the position and what a promise points at.
/// </summary>
public static class InboundReferences
{
    public static string ForPurchaseOrder(string poId) => $"po:{poId}";

    public static string ForTransfer(string transferId) => $"transfer:{transferId}";
}

/// <summary>Supply expected at a position: a purchase-order line or a transfer on its way.</summary>
[GenerateSerializer, Immutable, Alias("Retail.InboundExpectation")]
public sealed record InboundExpectation
{
    /// <summary><see cref="InboundReferences"/>: the document it comes with.</summary>
    [Id(0)] public string Reference { get; init; } = "";
    /// <summary><see cref="InboundKinds"/>.</summary>
    [Id(1)] public string Kind { get; init; } = InboundKinds.PurchaseOrder;
    /// <summary>Units expected; 0 cancels the expectation.</summary>
    [Id(2)] public int Quantity { get; init; }
    [Id(3)] public DateTimeOffset ExpectedAt { get; init; }
}

/// <summary>One supply expected at a position, with how much of it is promised to orders.</summary>
[GenerateSerializer, Immutable, Alias("Retail.InboundSupplyView")]
public sealed record InboundSupplyView
{
    [Id(0)] public string Reference { get; init; } = "";
    [Id(1)] public string Kind { get; init; } = "";
    [Id(2)] public int Quantity { get; init; }
    /// <summary>Units of it promised to orders; never more than <see cref="Quantity"/>.</summary>
    [Id(3)] public int Promised { get; init; }
    [Id(4)] public DateTimeOffset ExpectedAt { get; init; }

    public int Free => Quantity - Promised;
}

/// <summary>What a receipt of a supply did at a position.</summary>
[GenerateSerializer, Immutable, Alias("Retail.ReceiptResult")]
public sealed record ReceiptResult
{
    /// <summary>False when the receipt was applied before (same reference): nothing changed.</summary>
    [Id(0)] public bool Applied { get; init; }
    [Id(1)] public int Expected { get; init; }
    [Id(2)] public int Received { get; init; }
    /// <summary>Received minus expected.</summary>
    [Id(3)] public int Variance { get; init; }
}

/// <summary>A future reservation against a position's inbound supply, for an order line that stock on hand cannot cover.</summary>
[GenerateSerializer, Immutable, Alias("Retail.PromiseRequest")]
public sealed record PromiseRequest
{
    /// <summary>The same id space as reservations: when the supply arrives the promise becomes the reservation of this id.</summary>
    [Id(0)] public ReservationId Id { get; init; } = new("", "");
    [Id(1)] public int Quantity { get; init; }
    /// <summary>When the order was received: on receipt, older orders' promises become reservations first.</summary>
    [Id(2)] public DateTimeOffset? OrderedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.PromiseResult")]
public sealed record PromiseResult
{
    /// <summary>True when the whole quantity is promised (also for a repeat of an earlier promise).</summary>
    [Id(0)] public bool Promised { get; init; }
    [Id(1)] public int Quantity { get; init; }
    /// <summary>When the last unit of the promise is expected.</summary>
    [Id(2)] public DateTimeOffset? PromisedAt { get; init; }
}

/// <summary>A position tells an order what became of its promises there (through the outbox).</summary>
[GenerateSerializer, Immutable, Alias("Retail.PromisesChanged")]
public sealed record PromisesChanged
{
    [Id(0)] public string Sku { get; init; } = "";
    [Id(1)] public string LocationId { get; init; } = "";
    [Id(2)] public IReadOnlyList<PromiseChange> Changes { get; init; } = [];
    [Id(3)] public string Reason { get; init; } = "";
    /// <summary>
    /// The notice's id, unique per position and notice (its outbox message id): the relay delivers at least once, and an
    /// order applies each notice once.
    /// </summary>
    [Id(4)] public string NoticeId { get; init; } = "";
}

/// <summary>One promise's change: units that became a reservation, units given up, or a new date.</summary>
[GenerateSerializer, Immutable, Alias("Retail.PromiseChange")]
public sealed record PromiseChange
{
    /// <summary>The promise's reservation line id (<see cref="ReservationId.LineId"/>).</summary>
    [Id(0)] public string LineId { get; init; } = "";
    /// <summary>Units now reserved on hand under the same reservation id.</summary>
    [Id(1)] public int Converted { get; init; }
    /// <summary>Units no longer promised (the supply was cut, cancelled or arrived short).</summary>
    [Id(2)] public int Released { get; init; }
    /// <summary>When what is still promised is expected; null when nothing is.</summary>
    [Id(3)] public DateTimeOffset? PromisedAt { get; init; }
}

/// <summary>The reasons a <see cref="PromisesChanged"/> gives.</summary>
public static class PromiseReasons
{
    public const string Received = "received";
    public const string Slipped = "slipped";
    public const string Reduced = "reduced";
    public const string Cancelled = "cancelled";
}

/// <summary>When a quantity of a SKU can be promised, and where (GET /availability/{sku}?quantity=N).</summary>
[GenerateSerializer, Immutable, Alias("Retail.AvailabilityPromise")]
public sealed record AvailabilityPromise
{
    [Id(0)] public int Quantity { get; init; }
    /// <summary>Now when stock on hand covers it, else the expected date of the supply that completes it.</summary>
    [Id(1)] public DateTimeOffset AvailableFrom { get; init; }
    [Id(2)] public string LocationId { get; init; } = "";
}

/// <summary>
/// The one rule for the earliest date a quantity can be promised: at one location, what is available on hand plus the
/// free part of its inbound supplies in order of expected date; the first location and date that reach the quantity
/// win (stock on hand now first, then the earliest date, then the lower location id).
/// </summary>
public static class PromiseRule
{
    public static AvailabilityPromise? Earliest(IEnumerable<InventoryPosition> positions, int quantity, DateTimeOffset now) =>
        Candidates(positions, quantity, now).FirstOrDefault();

    /// <summary>Every location that can promise <paramref name="quantity"/>, earliest date first (then by location id).</summary>
    public static List<AvailabilityPromise> Candidates(IEnumerable<InventoryPosition> positions, int quantity, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var candidates = new List<AvailabilityPromise>();
        foreach (var position in positions)
        {
            var units = Math.Max(0, position.Available);
            DateTimeOffset? at = units >= quantity ? now : null;
            foreach (var supply in position.Inbound.OrderBy(s => s.ExpectedAt).ThenBy(s => s.Reference, StringComparer.Ordinal))
            {
                if (at is not null)
                {
                    break;
                }
                units += Math.Max(0, supply.Free);
                if (units >= quantity)
                {
                    at = supply.ExpectedAt > now ? supply.ExpectedAt : now;
                }
            }
            if (at is { } date)
            {
                candidates.Add(new AvailabilityPromise { Quantity = quantity, AvailableFrom = date, LocationId = position.LocationId });
            }
        }
        return candidates.OrderBy(c => c.AvailableFrom).ThenBy(c => c.LocationId, StringComparer.Ordinal).ToList();
    }
}
