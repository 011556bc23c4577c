using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;
using Retail.Grains.Inventory;

namespace Retail.Grains.Supply;

/// <summary>The checks every supply document (purchase order, transfer) passes before any position hears of it.</summary>
internal static class SupplyDocuments
{
    /// <summary>Lines: at least one, usable SKUs, each SKU once, quantities positive (or, where allowed, zero).</summary>
    public static void CheckLines(ValidationErrors errors, string field, IReadOnlyList<(string Sku, int Quantity)>? lines, bool zeroAllowed)
    {
        if (lines is null || lines.Count == 0)
        {
            errors.Add(field, "At least one line is required.");
            return;
        }
        for (var i = 0; i < lines.Count; i++)
        {
            var (sku, quantity) = lines[i];
            if (!Skus.IsUsable(sku))
            {
                errors.Add($"{field}[{i}].sku", $"Must be a usable SKU: {Skus.Problem(sku)}.");
            }
            if (quantity < 0 || (quantity == 0 && !zeroAllowed))
            {
                errors.Add($"{field}[{i}].quantity", zeroAllowed ? "Must not be negative." : "Must be a positive integer.");
            }
        }
        foreach (var repeated in lines.GroupBy(l => l.Sku, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(field, $"SKU '{repeated.Key}' appears more than once.");
        }
    }

    public static IReadOnlyList<(string Sku, int Quantity)> Of(IReadOnlyList<SkuQuantity>? lines) =>
        lines?.Select(l => (l.Sku, l.Quantity)).ToList() ?? [];

    /// <summary>Throws <see cref="ProblemCodes.LocationNotFound"/> naming every location that is not registered.</summary>
    public static async Task RequireRegisteredAsync(IGrainFactory grains, params string[] locationIds)
    {
        var registered = (await grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).GetAllAsync())
            .Select(l => l.LocationId)
            .ToHashSet(StringComparer.Ordinal);
        var unknown = locationIds.Where(id => !registered.Contains(id)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new RetailException(ProblemCodes.LocationNotFound, $"Unknown location(s): {string.Join(", ", unknown)}.");
        }
    }
}
