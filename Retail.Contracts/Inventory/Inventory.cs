using System.Globalization;
using System.Text;
using Orleans.Concurrency;

namespace Retail.Contracts.Inventory;

/// <summary>
/// Builds and parses the key of a stock position grain, <c>{sku}@{locationId}</c>, in one place. The key is also the
/// position's event subject, ERP session id and exception business key. Each part is escaped: letters, digits,
/// <c>-</c>, <c>_</c>, <c>.</c> and <c>:</c> stay as they are, every other character becomes its UTF-8 bytes as
/// <c>%XX</c> (so <c>TEE/BLK M</c> at <c>wh-1</c> is <c>TEE%2FBLK%20M@wh-1</c>). A key has exactly one <c>@</c>, and
/// <see cref="Parse"/> gives back the SKU and location exactly as they were.
/// </summary>
public static class InventoryKey
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string For(string sku, string locationId) => $"{Escape(sku)}@{Escape(locationId)}";

    public static (string Sku, string LocationId) Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var at = key.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == key.Length - 1 || key.IndexOf('@', at + 1) >= 0)
        {
            throw new FormatException($"'{key}' is not an inventory key of the form sku@locationId.");
        }
        return (Unescape(key[..at], key), Unescape(key[(at + 1)..], key));
    }

    private static bool Kept(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':';

    private static string Escape(string part)
    {
        if (part.All(Kept))
        {
            return part;
        }
        var escaped = new StringBuilder(part.Length + 16);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in part.EnumerateRunes())
        {
            if (rune.IsAscii && Kept((char)rune.Value))
            {
                escaped.Append((char)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length])
            {
                escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return escaped.ToString();
    }

    private static string Unescape(string part, string key)
    {
        if (!part.Contains('%', StringComparison.Ordinal))
        {
            return part.All(Kept) ? part : throw new FormatException($"'{key}' is not an escaped inventory key.");
        }
        var bytes = new List<byte>(part.Length);
        for (var i = 0; i < part.Length; i++)
        {
            if (part[i] == '%' && i + 2 < part.Length && byte.TryParse(part.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            {
                bytes.Add(b);
                i += 2;
            }
            else if (Kept(part[i]))
            {
                bytes.Add((byte)part[i]);
            }
            else
            {
                throw new FormatException($"'{key}' is not an escaped inventory key.");
            }
        }
        try
        {
            return StrictUtf8.GetString([.. bytes]);
        }
        catch (DecoderFallbackException exception)
        {
            throw new FormatException($"'{key}' is not an escaped inventory key.", exception);
        }
    }
}

/// <summary>A reservation's id: the order line it holds stock for.</summary>
[GenerateSerializer, Immutable, Alias("Retail.ReservationId")]
public sealed record ReservationId(
    [property: Id(0)] string OrderId,
    [property: Id(1)] string LineId)
{
    public override string ToString() => $"{OrderId}/{LineId}";
}

[GenerateSerializer, Immutable, Alias("Retail.ReservationRequest")]
public sealed record ReservationRequest
{
    [Id(0)] public ReservationId Id { get; init; } = new("", "");
    [Id(1)] public int Quantity { get; init; }
    /// <summary>When an unpaid reservation lapses; null once paid (no expiry).</summary>
    [Id(2)] public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>
    /// When the order was received: the age that ranks reservations (with the order id for equal times). When stock
    /// falls short, the newest orders' reservations give way first; null ranks by when the reservation was made.
    /// </summary>
    [Id(3)] public DateTimeOffset? OrderedAt { get; init; }
    /// <summary>
    /// When free stock is short, reservations of newer orders here give way, newest first, so that an older order
    /// never loses stock to a newer one. The reservation may then hold less than asked (Reserved false, Quantity what
    /// it holds); the orders that gave way are told and source again.
    /// </summary>
    [Id(4)] public bool TakeFromNewer { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.ReservationResult")]
public sealed record ReservationResult
{
    /// <summary>True when the whole quantity is held (also for a repeat of an earlier reservation).</summary>
    [Id(0)] public bool Reserved { get; init; }
    /// <summary>The quantity the reservation holds after the call.</summary>
    [Id(1)] public int Quantity { get; init; }
    /// <summary>Available units after the call.</summary>
    [Id(2)] public int Available { get; init; }
}

/// <summary>One stock position. Available = OnHand - SafetyStock - Reserved, never below zero for reservations.</summary>
[GenerateSerializer, Immutable, Alias("Retail.InventoryPosition")]
public sealed record InventoryPosition
{
    [Id(0)] public string Sku { get; init; } = "";
    [Id(1)] public string LocationId { get; init; } = "";
    [Id(2)] public int OnHand { get; init; }
    [Id(3)] public int SafetyStock { get; init; }
    [Id(4)] public int Reserved { get; init; }
    [Id(5)] public int Available { get; init; }
    [Id(6)] public DateTimeOffset? SnapshotAsOf { get; init; }
    /// <summary>False until stock was set, adjusted or counted here.</summary>
    [Id(7)] public bool Known { get; init; }
    /// <summary>Supply expected here (purchase-order lines, transfers on their way), earliest first.</summary>
    [Id(8)] public IReadOnlyList<InboundSupplyView> Inbound { get; init; } = [];
    /// <summary>Units shipped from here on transfers not yet received at their destination.</summary>
    [Id(9)] public int InTransit { get; init; }
    /// <summary>Units of the inbound supply promised to orders (future reservations).</summary>
    [Id(10)] public int Promised { get; init; }

    // Records compare lists by reference: positions are equal when their figures and supplies are.
    public bool Equals(InventoryPosition? other) =>
        other is not null
        && (Sku, LocationId, OnHand, SafetyStock, Reserved, Available, SnapshotAsOf, Known, InTransit, Promised)
            == (other.Sku, other.LocationId, other.OnHand, other.SafetyStock, other.Reserved, other.Available, other.SnapshotAsOf, other.Known, other.InTransit, other.Promised)
        && Inbound.SequenceEqual(other.Inbound);

    public override int GetHashCode() => HashCode.Combine(Sku, LocationId, OnHand, Reserved, Available, InTransit, Promised, Inbound.Count);
}

[GenerateSerializer, Immutable, Alias("Retail.SnapshotResult")]
public sealed record SnapshotResult
{
    /// <summary>False when the snapshot was older than the last applied one and ignored.</summary>
    [Id(0)] public bool Applied { get; init; }
    /// <summary>Counted minus expected on hand.</summary>
    [Id(1)] public int Variance { get; init; }
    [Id(2)] public IReadOnlyList<ReservationId> Released { get; init; } = [];
}

/// <summary>
/// One stock position (key: <see cref="InventoryKey.For"/>). Serialises every change to the position, so no
/// reservation can oversell it. Every operation is idempotent on its id.
/// </summary>
[Alias("Retail.IInventoryGrain")]
public interface IInventoryGrain : IGrainWithStringKey
{
    /// <summary>Holds stock for an order line, all or nothing. A repeat with the same id answers the existing reservation.</summary>
    [Alias("Reserve")]
    Task<ReservationResult> ReserveAsync(ReservationRequest request);

    [Alias("Release")]
    Task ReleaseAsync(ReservationId id);

    /// <summary>The order is paid: the reservation no longer expires.</summary>
    [Alias("Confirm")]
    Task ConfirmAsync(ReservationId id);

    /// <summary>Units left the building: on hand and the reservation both drop (once per <paramref name="operationId"/>).</summary>
    [Alias("Fulfil")]
    Task FulfilAsync(string operationId, ReservationId id, int quantity);

    /// <summary>Returned resellable units go back on hand (once per <paramref name="operationId"/>).</summary>
    [Alias("Restock")]
    Task RestockAsync(string operationId, int quantity);

    /// <summary>An ERP adjustment by a delta (once per <paramref name="adjustmentId"/>).</summary>
    [Alias("Adjust")]
    Task<InventoryPosition> AdjustAsync(string adjustmentId, int delta, string reason);

    /// <summary>An absolute count as of a time; stale snapshots are ignored.</summary>
    [Alias("ApplySnapshot")]
    Task<SnapshotResult> ApplySnapshotAsync(DateTimeOffset asOf, int onHand);

    /// <summary>Sets on hand and safety stock outright (PUT /inventory).</summary>
    [Alias("SetStock")]
    Task<InventoryPosition> SetStockAsync(int onHand, int safetyStock);

    [Alias("Get")]
    Task<InventoryPosition> GetAsync();

    /// <summary>
    /// Sets the supply expected here under its reference (a repeat replaces it; quantity 0 cancels it). A later date
    /// moves the promises made against it; a smaller quantity gives up the newest orders' promises beyond it.
    /// </summary>
    [Alias("ExpectInbound")]
    Task<InventoryPosition> ExpectInboundAsync(InboundExpectation expectation);

    /// <summary>
    /// The supply arrived (once per reference): on hand grows by what was received, the promises against it become
    /// reservations oldest order first, what it cannot cover is given up, and a difference from the expectation is a
    /// variance with an exception.
    /// </summary>
    [Alias("ReceiveInbound")]
    Task<ReceiptResult> ReceiveInboundAsync(string reference, int quantity, DateTimeOffset receivedAt);

    /// <summary>A transfer left here (once per transfer): on hand drops, the units are in transit until it is received.</summary>
    [Alias("ShipTransfer")]
    Task<InventoryPosition> ShipTransferAsync(string transferId, int quantity);

    /// <summary>The transfer shipped from here arrived at its destination: its units are no longer in transit.</summary>
    [Alias("CompleteTransit")]
    Task<InventoryPosition> CompleteTransitAsync(string transferId);

    /// <summary>Promises inbound supply to an order line, all or nothing, from the earliest supplies. A repeat answers the existing promise.</summary>
    [Alias("Promise")]
    Task<PromiseResult> PromiseAsync(PromiseRequest request);

    /// <summary>Gives up a promise (the order cancelled or sourced the line elsewhere); unknown ids are a no-op.</summary>
    [Alias("ReleasePromise")]
    Task ReleasePromiseAsync(ReservationId id);
}

/// <summary>Availability of a SKU across locations.</summary>
[GenerateSerializer, Immutable, Alias("Retail.SkuAvailability")]
public sealed record SkuAvailability
{
    [Id(0)] public string Sku { get; init; } = "";
    [Id(1)] public int Total { get; init; }
    [Id(2)] public IReadOnlyList<InventoryPosition> Locations { get; init; } = [];
}

/// <summary>
/// Per-SKU availability kept in memory (key: sku): every inventory grain of the SKU reports its position after
/// each change, so a query never fans out to every location (only a new activation reads each position once).
/// </summary>
[Alias("Retail.ISkuAvailabilityGrain")]
public interface ISkuAvailabilityGrain : IGrainWithStringKey
{
    [Alias("Report")]
    Task ReportAsync(InventoryPosition position);

    /// <summary>
    /// Answers from memory. Interleaves with the grain's other work, such as a report being written to storage, so
    /// that a read never queues behind a write; an implementation must therefore answer without awaiting anything but
    /// its activation's first reading of the positions.
    /// </summary>
    [AlwaysInterleave, Alias("Get")]
    Task<SkuAvailability> GetAsync();
}

/// <summary>The <see cref="Orders.ReservationsReleased.Reason"/> values an inventory position sends.</summary>
public static class ReleaseReasons
{
    /// <summary>A newer stock count left the reservations above stock; the shortfall was taken from the newest.</summary>
    public const string Snapshot = "snapshot";

    /// <summary>An older order short of stock took it from this newer order's reservation.</summary>
    public const string TakenByOlderOrder = "taken-by-older-order";

    /// <summary>An unpaid reservation reached its expiry.</summary>
    public const string Expired = "expired";

    /// <summary>An adjustment, a sale without reservation or a new stock level left the reservations above stock.</summary>
    public const string StockReduced = "stock-reduced";

    /// <summary>No order holds the reservation: the intake that made it failed before its order was written.</summary>
    public const string Orphaned = "orphaned";
}
