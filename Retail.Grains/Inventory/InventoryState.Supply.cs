using System.Text.Json.Serialization;
using Retail.Contracts.Inventory;

namespace Retail.Grains.Inventory;

/// <summary>The stock on its way at a position: supply expected here, stock in transit out, and promises against the supply.</summary>
internal sealed partial class InventoryState
{
    /// <summary>Supply expected here, keyed by its <see cref="InboundReferences">reference</see>. A received or cancelled supply is removed.</summary>
    [Id(10)] public Dictionary<string, InboundSupply> Inbound { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Units shipped from here per transfer id, until the destination receives them.</summary>
    [Id(11)] public Dictionary<string, int> InTransitOut { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Future reservations against <see cref="Inbound"/>, keyed like reservations (<c>orderId/lineId</c>).</summary>
    [Id(12)] public Dictionary<string, InventoryPromise> Promises { get; set; } = new(StringComparer.Ordinal);

    public int InTransit => InTransitOut.Values.Sum();

    public int Promised => Promises.Values.Sum(p => p.Quantity);

    public int PromisedFrom(string reference) => Promises.Values.Sum(p => p.QuantityFrom(reference));

    private List<InboundSupplyView> InboundViews() =>
        Inbound.Values
            .OrderBy(s => s.ExpectedAt)
            .ThenBy(s => s.Reference, StringComparer.Ordinal)
            .Select(s => new InboundSupplyView
            {
                Reference = s.Reference,
                Kind = s.Kind,
                Quantity = s.Quantity,
                Promised = PromisedFrom(s.Reference),
                ExpectedAt = s.ExpectedAt,
            })
            .ToList();
}

/// <summary>A purchase-order line or a transfer expected at the position.</summary>
[GenerateSerializer, Alias("Retail.InboundSupply")]
internal sealed class InboundSupply
{
    [Id(0)] public string Reference { get; set; } = "";
    [Id(1)] public string Kind { get; set; } = "";
    [Id(2)] public int Quantity { get; set; }
    [Id(3)] public DateTimeOffset ExpectedAt { get; set; }
}

/// <summary>Units of inbound supply promised to one order line; it may draw on several supplies (its parts).</summary>
[GenerateSerializer, Alias("Retail.InventoryPromise")]
internal sealed class InventoryPromise
{
    [Id(0)] public string OrderId { get; set; } = "";
    [Id(1)] public string LineId { get; set; } = "";
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public DateTimeOffset? OrderedAt { get; set; }
    /// <summary>Creation number, from <see cref="InventoryState.ReservationCounter"/>: higher is newer.</summary>
    [Id(4)] public long Number { get; set; }
    /// <summary>Units per supply reference.</summary>
    [Id(5)] public Dictionary<string, int> Parts { get; set; } = new(StringComparer.Ordinal);

    [JsonIgnore]
    public int Quantity => Parts.Values.Sum();

    public int QuantityFrom(string reference) => Parts.GetValueOrDefault(reference);

    /// <summary>When the last of its units is expected, from the supplies it draws on.</summary>
    public DateTimeOffset? PromisedAt(IReadOnlyDictionary<string, InboundSupply> inbound) =>
        Parts.Keys.Select(reference => inbound.TryGetValue(reference, out var supply) ? supply.ExpectedAt : (DateTimeOffset?)null).Max();

    /// <summary>Older orders first, as <see cref="InventoryReservation.OldestFirst"/> ranks reservations.</summary>
    public static readonly IComparer<InventoryPromise> OldestFirst = Comparer<InventoryPromise>.Create((x, y) =>
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
