using System.Globalization;

namespace Retail.Benchmarks.Workload;

/// <summary>The SKUs and locations every scenario draws from, and the stock each target is given.</summary>
internal sealed class Catalog(int skuCount, string skuPrefix = Catalog.DefaultPrefix, int locationCount = Catalog.LocationCount)
{
    public const string DefaultPrefix = "SKU-";
    public const int LocationCount = 5;
    public const int UniformOnHand = 1_000_000;
    public const int UniformSafetyStock = 5;
    public const int FlashLocationCount = 3;

    public int SkuCount { get; } = skuCount;

    /// <summary>The catalogue's SKU at <paramref name="index"/>.</summary>
    public string SkuAt(int index) => skuPrefix + index.ToString("D5", CultureInfo.InvariantCulture);

    /// <summary>The SKU the availability scenario reads while orders run.</summary>
    public static string HotSku => Sku(0);

    public static string Sku(int index) => DefaultPrefix + index.ToString("D5", CultureInfo.InvariantCulture);

    public static string LocationId(int index) => "L" + (index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>L1 is sourced first; warehouses before stores.</summary>
    public static IReadOnlyList<LocationSpec> Locations { get; } =
        [.. Enumerable.Range(0, LocationCount).Select(i => new LocationSpec(LocationId(i), $"Location {i + 1}", i < 2 ? "warehouse" : "store", i + 1, i % 2 == 0 ? "east" : "west"))];

    /// <summary>Every SKU at each of the catalogue's locations (the first by priority), with stock no run can exhaust.</summary>
    public IEnumerable<StockSpec> UniformStock() =>
        from sku in Enumerable.Range(0, SkuCount)
        from location in Enumerable.Range(0, locationCount)
        select new StockSpec(SkuAt(sku), LocationId(location), UniformOnHand, UniformSafetyStock);

    /// <summary>A flash-sale SKU of its own per run: <paramref name="units"/> spread over the first three locations.</summary>
    public static IReadOnlyList<StockSpec> FlashStock(string sku, int units) =>
        [.. Enumerable.Range(0, FlashLocationCount).Select(i => new StockSpec(sku, LocationId(i), units / FlashLocationCount + (i < units % FlashLocationCount ? 1 : 0), 0))];

    /// <summary>A hot SKU of its own per run: <paramref name="units"/> at the first location, more than any run can take.</summary>
    public static IReadOnlyList<StockSpec> HotStock(string sku, int units) => [new StockSpec(sku, LocationId(0), units, 0)];
}

internal sealed record LocationSpec(string LocationId, string Name, string Type, int Priority, string Region);

internal sealed record StockSpec(string Sku, string LocationId, int OnHand, int SafetyStock);
