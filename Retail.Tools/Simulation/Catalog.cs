using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;

namespace Retail.Tools.Simulation;

/// <summary>The simulated retailer: two warehouses, two stores, and a range of SKUs with prices.</summary>
internal static class Catalog
{
    public static readonly IReadOnlyList<Location> Locations =
    [
        new() { LocationId = "WH-EAST", Name = "East warehouse", Type = LocationType.Warehouse, Priority = 1, Region = "east" },
        new() { LocationId = "WH-WEST", Name = "West warehouse", Type = LocationType.Warehouse, Priority = 2, Region = "west" },
        new() { LocationId = "STORE-NYC", Name = "New York store", Type = LocationType.Store, Priority = 5, Region = "east" },
        new() { LocationId = "STORE-SFO", Name = "San Francisco store", Type = LocationType.Store, Priority = 6, Region = "west" },
    ];

    public static readonly IReadOnlyList<(string Sku, string Title, decimal Price)> Products =
    [
        ("TEE-BLK-M", "Black tee, M", 19.99m), ("TEE-BLK-L", "Black tee, L", 19.99m), ("TEE-WHT-M", "White tee, M", 19.99m),
        ("HOOD-GRY-M", "Grey hoodie, M", 54.00m), ("HOOD-GRY-L", "Grey hoodie, L", 54.00m), ("JEAN-IND-32", "Indigo jeans 32", 79.50m),
        ("JEAN-IND-34", "Indigo jeans 34", 79.50m), ("CAP-NVY", "Navy cap", 24.00m), ("SOCK-3PK", "Socks, 3 pack", 12.00m),
        ("BELT-BRN-M", "Brown belt, M", 35.00m), ("SCARF-RED", "Red scarf", 29.00m), ("BOOT-BLK-42", "Black boots 42", 149.00m),
    ];

    /// <summary>A SKU stocked in a handful of units only: its orders are promised from the purchase orders the ERP confirms.</summary>
    public const string ScarceSku = "BOOT-BLK-42";

    public static async Task SetUpAsync(HttpClient api, CancellationToken cancellationToken)
    {
        foreach (var location in Locations)
        {
            using var response = await Simulator.PutJsonAsync(api, $"api/v1/locations/{location.LocationId}", new { location.Name, location.Type, location.Priority, location.Region }, cancellationToken);
            await Simulator.EnsureAsync(response, $"PUT location {location.LocationId}", cancellationToken);
        }
        var random = new Random(7);
        foreach (var (sku, _, _) in Products)
        {
            foreach (var location in Locations)
            {
                var onHand = sku == ScarceSku ? random.Next(0, 3) : location.Type == LocationType.Warehouse ? random.Next(150, 400) : random.Next(0, 25);
                using var response = await Simulator.PutJsonAsync(api, $"api/v1/inventory/{sku}/{location.LocationId}", new { onHand, safetyStock = location.Type == LocationType.Store ? 2 : 5 }, cancellationToken);
                await Simulator.EnsureAsync(response, $"PUT inventory {sku}@{location.LocationId}", cancellationToken);
            }
        }
    }

    /// <summary>What an ERP count at <paramref name="locationId"/> says: mostly what Retail expects, now and then a few units off.</summary>
    public static async Task<IReadOnlyList<SnapshotItem>> CountWithVarianceAsync(HttpClient api, string locationId, Random random, CancellationToken cancellationToken)
    {
        var items = new List<SnapshotItem>();
        foreach (var (sku, _, _) in Products)
        {
            var position = await api.GetFromJsonAsync<InventoryPosition>($"api/v1/inventory/{sku}/{locationId}", RetailJson.Options, cancellationToken);
            if (position is null)
            {
                continue;
            }
            var variance = random.NextDouble() < 0.2 ? random.Next(-3, 2) : 0;
            items.Add(new SnapshotItem { Sku = sku, OnHand = Math.Max(0, position.OnHand + variance) });
        }
        return items;
    }
}
