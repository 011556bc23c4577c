using Retail.Contracts.Orders;

namespace Retail.Grains.Sourcing;

/// <summary>A quantity of one order line still to be sourced.</summary>
internal sealed record SourcingLine(string LineId, string Sku, int Quantity);

/// <summary>A location that may ship; lower <see cref="Priority"/> is preferred.</summary>
internal sealed record SourcingLocation(string LocationId, int Priority);

internal sealed record SourcingRequest
{
    public string Method { get; init; } = FulfillmentMethods.Ship;
    public string? PickupLocationId { get; init; }
    public IReadOnlyList<SourcingLine> Lines { get; init; } = [];
    /// <summary>Registered locations; stock at a location missing here is used after these, by id.</summary>
    public IReadOnlyList<SourcingLocation> Locations { get; init; } = [];
    public AvailabilityMap Available { get; init; } = new();
}

internal sealed record PlannedAllocation(string LineId, string Sku, string LocationId, int Quantity);

/// <summary>Where each line's units come from, and what no location has (backordered).</summary>
internal sealed record SourcingPlan(IReadOnlyList<PlannedAllocation> Allocations, IReadOnlyList<LineQuantity> Backordered);

/// <summary>
/// Decides where an order's lines are reserved, from a picture of availability. Pure: the order grain executes the
/// plan against the inventory grains, which have the final word.
/// </summary>
/// <remarks>
/// Pickup takes only from the pickup location. Shipping prefers one location that fills every line (lowest priority
/// number, then id); otherwise it picks locations greedily, each time the one that fills the most remaining lines
/// whole (then the most units, then by priority), so that the order ships from as few places as possible. A line is
/// split across locations only when no single location has all of it; what nobody has is backordered.
/// </remarks>
internal static class SourcingPlanner
{
    public static SourcingPlan Plan(SourcingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var available = request.Available.Copy();
        var lines = request.Lines.Where(l => l.Quantity > 0).ToList();
        var allocations = new List<PlannedAllocation>();
        var backordered = new List<LineQuantity>();

        if (request.Method == FulfillmentMethods.Pickup)
        {
            var pickup = request.PickupLocationId ?? "";
            foreach (var line in lines)
            {
                var take = Math.Min(line.Quantity, available.Get(line.Sku, pickup));
                if (take > 0)
                {
                    available.Take(line.Sku, pickup, take);
                    allocations.Add(new PlannedAllocation(line.LineId, line.Sku, pickup, take));
                }
                AddBackorder(backordered, line.LineId, line.Quantity - take);
            }
            return new SourcingPlan(allocations, backordered);
        }

        var locations = OrderedLocations(request, lines);
        var remaining = new List<SourcingLine>(lines);
        var chosen = new List<string>();
        while (remaining.Count > 0)
        {
            string? best = null;
            List<SourcingLine> bestLines = [];
            var bestUnits = 0;
            foreach (var location in locations)
            {
                var covered = WholeLinesAt(location, remaining, available);
                var units = covered.Sum(l => l.Quantity);
                if (covered.Count > bestLines.Count || (covered.Count == bestLines.Count && units > bestUnits))
                {
                    (best, bestLines, bestUnits) = (location, covered, units);
                }
            }
            if (best is null)
            {
                break;
            }
            foreach (var line in bestLines)
            {
                available.Take(line.Sku, best, line.Quantity);
                allocations.Add(new PlannedAllocation(line.LineId, line.Sku, best, line.Quantity));
                remaining.Remove(line);
            }
            chosen.Add(best);
        }

        foreach (var line in remaining)
        {
            var need = line.Quantity;
            var candidates = locations
                .Where(l => available.Get(line.Sku, l) > 0)
                .OrderBy(l => chosen.Contains(l) ? 0 : 1)
                .ThenByDescending(l => available.Get(line.Sku, l))
                .ThenBy(locations.IndexOf)
                .ToList();
            foreach (var location in candidates)
            {
                if (need == 0)
                {
                    break;
                }
                var take = Math.Min(need, available.Get(line.Sku, location));
                available.Take(line.Sku, location, take);
                allocations.Add(new PlannedAllocation(line.LineId, line.Sku, location, take));
                need -= take;
                if (!chosen.Contains(location))
                {
                    chosen.Add(location);
                }
            }
            AddBackorder(backordered, line.LineId, need);
        }
        return new SourcingPlan(allocations, backordered);
    }

    /// <summary>The locations a shipped order may use, in the order the planner considers them.</summary>
    public static List<string> LocationsInOrder(SourcingRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OrderedLocations(request, request.Lines.ToList());
    }

    /// <summary>Registered locations by priority then id, then unregistered locations holding any of the SKUs, by id.</summary>
    private static List<string> OrderedLocations(SourcingRequest request, List<SourcingLine> lines)
    {
        var ordered = request.Locations
            .OrderBy(l => l.Priority)
            .ThenBy(l => l.LocationId, StringComparer.Ordinal)
            .Select(l => l.LocationId)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var registered = new HashSet<string>(ordered, StringComparer.Ordinal);
        var unregistered = lines
            .SelectMany(l => request.Available.LocationsOf(l.Sku))
            .Where(l => !registered.Contains(l))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        ordered.AddRange(unregistered);
        return ordered;
    }

    /// <summary>The remaining lines this location can fill entirely, taking lines of the same SKU in order.</summary>
    private static List<SourcingLine> WholeLinesAt(string location, List<SourcingLine> remaining, AvailabilityMap available)
    {
        var left = new Dictionary<string, int>(StringComparer.Ordinal);
        var covered = new List<SourcingLine>();
        foreach (var line in remaining)
        {
            if (!left.TryGetValue(line.Sku, out var units))
            {
                units = available.Get(line.Sku, location);
            }
            if (line.Quantity <= units)
            {
                covered.Add(line);
                units -= line.Quantity;
            }
            left[line.Sku] = units;
        }
        return covered;
    }

    private static void AddBackorder(List<LineQuantity> backordered, string lineId, int quantity)
    {
        if (quantity > 0)
        {
            backordered.Add(new LineQuantity { LineId = lineId, Quantity = quantity });
        }
    }
}
