using System.Globalization;
using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Benchmarks.Workload;

/// <summary>
/// Deterministic order payloads: order <c>i</c> of a run is a pure function of the seed, the run's key and <c>i</c>,
/// so every target receives byte-for-byte the same bodies.
/// </summary>
internal sealed class OrderFactory(int seed)
{
    private static readonly DateTimeOffset PlacedAt = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    /// <summary>The order's id and channel order id: <c>{runKey}-{index}</c>.</summary>
    public static string OrderIdFor(string runKey, int index) => runKey + "-" + index.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Two lines of distinct SKUs drawn uniformly from <paramref name="catalog"/>, one to three units each.</summary>
    public byte[] Uniform(Catalog catalog, string runKey, int index)
    {
        var random = RandomFor(runKey, index);
        var first = random.Next(catalog.SkuCount);
        var second = (first + 1 + random.Next(catalog.SkuCount - 1)) % catalog.SkuCount;
        return Serialize(runKey, index, [(catalog.SkuAt(first), random.Next(1, 4)), (catalog.SkuAt(second), random.Next(1, 4))]);
    }

    /// <summary>80% one unit of <paramref name="hotSku"/> (a flash sale's or a hot SKU's), 20% an ordinary uniform order.</summary>
    public byte[] OneSkuMix(Catalog catalog, string runKey, int index, string hotSku)
    {
        var random = RandomFor(runKey, index);
        return random.Next(100) < 80 ? Serialize(runKey, index, [(hotSku, 1)]) : Uniform(catalog, runKey, index);
    }

    private Random RandomFor(string runKey, int index)
    {
        var hash = StableHash(runKey);
        return new Random(unchecked((int)(hash ^ (uint)seed * 2654435761u ^ (uint)index * 40503u)));
    }

    /// <summary>FNV-1a: unlike string.GetHashCode, the same in every process.</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    private static byte[] Serialize(string runKey, int index, IReadOnlyList<(string Sku, int Quantity)> lines)
    {
        var id = OrderIdFor(runKey, index);
        var orderLines = lines.Select((line, i) =>
        {
            var unitPrice = 5m + (StableHash(line.Sku) & 0xFF) / 4m;
            var tax = Math.Round(unitPrice * line.Quantity * 0.08m, 2);
            return new OrderLine { LineId = (i + 1).ToString(CultureInfo.InvariantCulture), Sku = line.Sku, Quantity = line.Quantity, UnitPrice = unitPrice, Tax = tax };
        }).ToList();
        var subtotal = orderLines.Sum(l => l.UnitPrice * l.Quantity);
        var tax = orderLines.Sum(l => l.Tax);
        var order = new CanonicalOrder
        {
            OrderId = id,
            Channel = Channels.Web,
            ChannelOrderId = id,
            PlacedAt = PlacedAt,
            Currency = "USD",
            Customer = new Customer { CustomerId = "c-" + (index % 5000).ToString(CultureInfo.InvariantCulture), Email = "shopper@example.com", Name = "Ada Shopper" },
            ShipTo = new Address { Name = "Ada Shopper", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
            Fulfillment = new Fulfillment { Method = FulfillmentMethods.Ship },
            Lines = orderLines,
            Totals = new Totals { Subtotal = subtotal, Shipping = 5m, Tax = tax, GrandTotal = subtotal + 5m + tax },
            Payment = new Payment { Provider = "stripe", Reference = "pi_" + id, Status = PaymentStatuses.Authorized },
        };
        return JsonSerializer.SerializeToUtf8Bytes(order, RetailJson.Options);
    }
}
