using System.Text.Json.Serialization;
using Retail.Contracts.Inventory;
using Retail.Contracts.Storage;
using Retail.Grains.Outbox;

namespace Retail.Grains.Inventory;

/// <summary>One stock position as stored (jsonb and Orleans serializer alike).</summary>
[GenerateSerializer, Alias("Retail.InventoryState")]
internal sealed partial class InventoryState : IHasOutbox, IStateRows
{
    [Id(0)] public string Sku { get; set; } = "";
    [Id(1)] public string LocationId { get; set; } = "";
    [Id(2)] public int OnHand { get; set; }
    [Id(3)] public int SafetyStock { get; set; }

    /// <summary>
    /// Active reservations keyed by <see cref="ReservationId.ToString"/> (<c>orderId/lineId</c>). A released reservation
    /// is removed. Stored in rows of their own (<see cref="IStateRows"/>), one per reservation in its compact form
    /// (<see cref="CompactReservation"/>), so a write stores the reservations it changed; the state's JSON leaves them out.
    /// </summary>
    [Id(13), JsonIgnore] public ReservationBook Reservations { get; set; } = new();

    /// <summary>
    /// The reservations of a state stored before they had rows of their own: read into <see cref="Reservations"/> as
    /// changes, so that the next write moves them into their rows; never written.
    /// </summary>
    [JsonPropertyName("reservations"), JsonConverter(typeof(CompactReservationsConverter))]
    public Dictionary<string, InventoryReservation>? StoredReservations
    {
        get => null;
        set
        {
            foreach (var (key, reservation) in value ?? [])
            {
                Reservations.Put(key, reservation);
            }
        }
    }

    /// <summary>Fulfil, restock and adjustment ids already applied (<c>kind:id</c>), with when; pruned after 30 days.</summary>
    [Id(5)] public Dictionary<string, DateTimeOffset> AppliedOperations { get; set; } = new(StringComparer.Ordinal);

    [Id(6)] public DateTimeOffset? LastSnapshotAsOf { get; set; }

    /// <summary>True once stock was set, adjusted, restocked or counted here.</summary>
    [Id(7)] public bool Known { get; set; }

    /// <summary>The last creation number given to a reservation: orders reservations from oldest to newest.</summary>
    [Id(8)] public long ReservationCounter { get; set; }

    [Id(9)] public OutboxState Outbox { get; set; } = new();

    // Derived, not stored: System.Text.Json writes them (handy in SQL over the jsonb) and ignores them on read.
    public int Reserved => Reservations.Reserved;

    public int Available => OnHand - SafetyStock - Reserved;

    public InventoryPosition ToPosition() => new()
    {
        Sku = Sku,
        LocationId = LocationId,
        OnHand = OnHand,
        SafetyStock = SafetyStock,
        Reserved = Reserved,
        Available = Available,
        SnapshotAsOf = LastSnapshotAsOf,
        Known = Known,
        Inbound = InboundViews(),
        InTransit = InTransit,
        Promised = Promised,
    };

    public IReadOnlyCollection<KeyValuePair<string, string?>> ChangedRows() =>
        Reservations.Changes.Select(c => KeyValuePair.Create(c.Key, c.Value is null ? null : CompactReservation.ToJson(c.Value))).ToList();

    public void LoadRow(string key, string value) => Reservations.Load(key, CompactReservation.FromJson(value));
}

/// <summary>Stock held for one order line. Immutable: a change replaces it in the <see cref="ReservationBook"/>.</summary>
[GenerateSerializer, Immutable, Alias("Retail.InventoryReservation")]
internal sealed record InventoryReservation
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string LineId { get; init; } = "";
    [Id(2)] public int Quantity { get; init; }
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the unpaid reservation lapses; null once confirmed (paid).</summary>
    [Id(4)] public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Creation number, from <see cref="InventoryState.ReservationCounter"/>: higher is newer.</summary>
    [Id(5)] public long Number { get; init; }

    /// <summary>
    /// The order is known to hold it: reserved with an expiry (which then governs it), confirmed by its order, or its order
    /// answered that it holds it. A reservation made without expiry starts unconfirmed, because the intake that made it
    /// may fail before its order is written; the position asks the order after a while (<see cref="HolderCheckOptions"/>).
    /// </summary>
    [Id(6)] public bool Held { get; init; }

    /// <summary>When its order was received (null for reservations made before orders told it): ranks the reservation.</summary>
    [Id(7)] public DateTimeOffset? OrderedAt { get; init; }

    public bool NeedsHolderCheck => !Held && ExpiresAt is null;

    /// <summary>
    /// Older orders first: by when the order was received (else when the reservation was made), then the order id, then
    /// the creation number. A total order, so that what gives way when stock falls short never depends on timing.
    /// </summary>
    public static readonly IComparer<InventoryReservation> OldestFirst = Comparer<InventoryReservation>.Create((x, y) =>
    {
        var byAge = (x.OrderedAt ?? x.CreatedAt).CompareTo(y.OrderedAt ?? y.CreatedAt);
        if (byAge != 0)
        {
            return byAge;
        }
        var byOrder = string.CompareOrdinal(x.OrderId, y.OrderId);
        return byOrder != 0 ? byOrder : x.Number.CompareTo(y.Number);
    });
}
