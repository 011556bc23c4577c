using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Sourcing;

/// <summary>A reservation the inventory granted.</summary>
internal sealed record ReservationTaken(string LineId, string Sku, string LocationId, string ReservationLineId, int Quantity);

internal sealed record SourcingOutcome(IReadOnlyList<ReservationTaken> Reservations, IReadOnlyList<LineQuantity> Backordered);

/// <summary>
/// Executes <see cref="SourcingPlanner"/>'s plans against the inventory grains. The availability picture is a view
/// and may be stale; each inventory grain has the final word. A rejected reservation corrects the picture with the
/// figure the grain answered and the remainder is planned again, a bounded number of times; what is still
/// unplaced is backordered.
/// </summary>
internal sealed class StockSourcer(IGrainFactory grains)
{
    private const int ExtraAttempts = 2;
    private const int MaxAttempts = 8;

    /// <param name="orderId">The order the reservations are for.</param>
    /// <param name="fulfillment">Ship or pickup (and where).</param>
    /// <param name="lines">What is still to be sourced, per line.</param>
    /// <param name="numbering">Names the reservations.</param>
    /// <param name="expiresAt">When unpaid reservations lapse; null once paid.</param>
    public async Task<SourcingOutcome> SourceAsync(
        string orderId,
        Fulfillment fulfillment,
        IReadOnlyList<SourcingLine> lines,
        ReservationNumbering numbering,
        DateTimeOffset? expiresAt)
    {
        var remaining = lines.Where(l => l.Quantity > 0).ToDictionary(l => l.LineId, l => l, StringComparer.Ordinal);
        var taken = new List<ReservationTaken>();
        if (remaining.Count == 0)
        {
            return new SourcingOutcome(taken, []);
        }

        var locations = await grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).GetAllAsync();
        var available = await ReadAvailabilityAsync(remaining.Values.Select(l => l.Sku).Distinct(StringComparer.Ordinal));
        var request = new SourcingRequest
        {
            Method = fulfillment.Method,
            PickupLocationId = fulfillment.PickupLocationId,
            Locations = locations.Select(l => new SourcingLocation(l.LocationId, l.Priority)).ToList(),
        };

        var attempts = Math.Min(MaxAttempts, locations.Count + ExtraAttempts);
        for (var attempt = 0; attempt < attempts && remaining.Count > 0; attempt++)
        {
            var plan = SourcingPlanner.Plan(request with { Lines = remaining.Values.ToList(), Available = available });
            if (plan.Allocations.Count == 0)
            {
                break;
            }
            var rejected = false;
            foreach (var allocation in plan.Allocations)
            {
                var reservationLineId = numbering.Next(allocation.LineId, allocation.LocationId);
                var result = await grains.GetGrain<IInventoryGrain>(InventoryKey.For(allocation.Sku, allocation.LocationId)).ReserveAsync(new ReservationRequest
                {
                    Id = new ReservationId(orderId, reservationLineId),
                    Quantity = allocation.Quantity,
                    ExpiresAt = expiresAt,
                });
                available.Set(allocation.Sku, allocation.LocationId, result.Available);
                if (!result.Reserved || result.Quantity <= 0)
                {
                    rejected = true;
                    continue;
                }
                numbering.Taken(allocation.LineId, allocation.LocationId);
                taken.Add(new ReservationTaken(allocation.LineId, allocation.Sku, allocation.LocationId, reservationLineId, result.Quantity));
                var line = remaining[allocation.LineId];
                if (line.Quantity <= result.Quantity)
                {
                    remaining.Remove(line.LineId);
                }
                else
                {
                    remaining[line.LineId] = line with { Quantity = line.Quantity - result.Quantity };
                }
            }
            if (!rejected)
            {
                break;
            }
        }

        var backordered = remaining.Values.Select(l => new LineQuantity { LineId = l.LineId, Quantity = l.Quantity }).ToList();
        return new SourcingOutcome(taken, backordered);
    }

    /// <summary>Every SKU's availability per location, as its availability grain reports it.</summary>
    public async Task<Dictionary<string, SkuAvailability>> ReadSkusAsync(IEnumerable<string> skus)
    {
        var distinct = skus.Distinct(StringComparer.Ordinal).ToList();
        var answers = await Task.WhenAll(distinct.Select(sku => grains.GetGrain<ISkuAvailabilityGrain>(sku).GetAsync()));
        return distinct.Zip(answers).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }

    private async Task<AvailabilityMap> ReadAvailabilityAsync(IEnumerable<string> skus)
    {
        var map = new AvailabilityMap();
        foreach (var (sku, availability) in await ReadSkusAsync(skus))
        {
            foreach (var position in availability.Locations)
            {
                map.Set(sku, position.LocationId, position.Available);
            }
        }
        return map;
    }
}
