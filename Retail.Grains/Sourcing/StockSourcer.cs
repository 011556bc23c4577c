using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Sourcing;

/// <summary>A reservation the inventory granted.</summary>
internal sealed record ReservationTaken(string LineId, string Sku, string LocationId, string ReservationLineId, int Quantity);

/// <summary>When the order was received (ranks its reservations), and whether it may take from newer orders' reservations.</summary>
internal sealed record OrderAge(DateTimeOffset ReceivedAt, bool TakeFromNewer);

internal sealed record SourcingOutcome(IReadOnlyList<ReservationTaken> Reservations, IReadOnlyList<LineQuantity> Backordered);

/// <summary>
/// What sourcing starts from, read once per change: the registered locations and each SKU's availability as its
/// availability grain reports it. The same picture answers the order's checks (unknown SKUs) and plans its sourcing.
/// </summary>
internal sealed record SourcingPicture(IReadOnlyList<Location> Locations, IReadOnlyDictionary<string, SkuAvailability> Skus)
{
    /// <summary>The SKUs of <paramref name="skus"/> that no location has ever stocked, in ordinal order.</summary>
    public List<string> Unknown(IEnumerable<string> skus) =>
        skus.Distinct(StringComparer.Ordinal)
            .Where(sku => !Skus.TryGetValue(sku, out var availability) || !availability.Locations.Any(p => p.Known))
            .Order(StringComparer.Ordinal)
            .ToList();

    public AvailabilityMap ToMap()
    {
        var map = new AvailabilityMap();
        foreach (var (sku, availability) in Skus)
        {
            foreach (var position in availability.Locations)
            {
                map.Set(sku, position.LocationId, position.Available);
            }
        }
        return map;
    }
}

/// <summary>
/// Executes <see cref="SourcingPlanner"/>'s plans against the inventory grains. The availability picture is a view
/// and may be stale; each inventory grain has the final word. A plan's reservations go to their positions at once
/// (each has its own id, so they are independent); a rejected one corrects the picture with the figure the grain
/// answered and the remainder is planned again, a bounded number of times. An order sourcing again after it lost
/// stock then asks each location, in the plan's order, to take what is still missing from newer orders' reservations
/// (<see cref="ReservationRequest.TakeFromNewer"/>). What is still unplaced is backordered.
/// </summary>
internal sealed class StockSourcer(IGrainFactory grains)
{
    private const int ExtraAttempts = 2;
    private const int MaxAttempts = 8;

    /// <summary>Reads the locations and the availability of <paramref name="skus"/> (those usable as SKUs), all at once.</summary>
    public async Task<SourcingPicture> ReadAsync(IEnumerable<string> skus)
    {
        var distinct = skus.Where(Skus.IsUsable).Distinct(StringComparer.Ordinal).ToList();
        var locations = grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).GetAllAsync();
        var answers = Task.WhenAll(distinct.Select(sku => grains.GetGrain<ISkuAvailabilityGrain>(sku).GetAsync()));
        await Task.WhenAll(locations, answers);
        return new SourcingPicture(
            await locations,
            distinct.Zip(await answers).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
    }

    /// <param name="orderId">The order the reservations are for.</param>
    /// <param name="fulfillment">Ship or pickup (and where).</param>
    /// <param name="lines">What is still to be sourced, per line.</param>
    /// <param name="numbering">Names the reservations.</param>
    /// <param name="expiresAt">When unpaid reservations lapse; null once paid.</param>
    /// <param name="age">When the order was received, and whether it may take from newer orders' reservations.</param>
    /// <param name="picture">Locations and availability read for this change, or null to read them now.</param>
    public async Task<SourcingOutcome> SourceAsync(
        string orderId,
        Fulfillment fulfillment,
        IReadOnlyList<SourcingLine> lines,
        ReservationNumbering numbering,
        DateTimeOffset? expiresAt,
        OrderAge age,
        SourcingPicture? picture = null)
    {
        var remaining = lines.Where(l => l.Quantity > 0).ToDictionary(l => l.LineId, l => l, StringComparer.Ordinal);
        var taken = new List<ReservationTaken>();
        if (remaining.Count == 0)
        {
            return new SourcingOutcome(taken, []);
        }

        picture ??= await ReadAsync(remaining.Values.Select(l => l.Sku));
        var available = picture.ToMap();
        var request = new SourcingRequest
        {
            Method = fulfillment.Method,
            PickupLocationId = fulfillment.PickupLocationId,
            Locations = picture.Locations.Select(l => new SourcingLocation(l.LocationId, l.Priority)).ToList(),
        };

        var attempts = Math.Min(MaxAttempts, picture.Locations.Count + ExtraAttempts);
        for (var attempt = 0; attempt < attempts && remaining.Count > 0; attempt++)
        {
            var plan = SourcingPlanner.Plan(request with { Lines = remaining.Values.ToList(), Available = available });
            if (plan.Allocations.Count == 0)
            {
                break;
            }
            // A plan never holds a line twice at one location, so the ids named here are distinct.
            var reservations = plan.Allocations.Select(a => (Allocation: a, ReservationLineId: numbering.Next(a.LineId, a.LocationId))).ToList();
            var results = await Task.WhenAll(reservations.Select(r =>
                grains.GetGrain<IInventoryGrain>(InventoryKey.For(r.Allocation.Sku, r.Allocation.LocationId)).ReserveAsync(new ReservationRequest
                {
                    Id = new ReservationId(orderId, r.ReservationLineId),
                    Quantity = r.Allocation.Quantity,
                    ExpiresAt = expiresAt,
                    OrderedAt = age.ReceivedAt,
                })));

            var rejected = false;
            var answered = new Dictionary<(string Sku, string LocationId), int>();
            foreach (var ((allocation, reservationLineId), result) in reservations.Zip(results))
            {
                // Two lines of one SKU may share a position: the lower figure is the later one.
                var position = (allocation.Sku, allocation.LocationId);
                answered[position] = answered.TryGetValue(position, out var earlier) ? Math.Min(earlier, result.Available) : result.Available;
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
            foreach (var ((sku, locationId), units) in answered)
            {
                available.Set(sku, locationId, units);
            }
            if (!rejected)
            {
                break;
            }
        }

        if (age.TakeFromNewer && remaining.Count > 0)
        {
            await TakeFromNewerAsync(orderId, request, remaining, numbering, expiresAt, age, taken);
        }

        var backordered = remaining.Values.Select(l => new LineQuantity { LineId = l.LineId, Quantity = l.Quantity }).ToList();
        return new SourcingOutcome(taken, backordered);
    }

    /// <summary>One line and location at a time, in the planner's location order, so that each answer counts for the next.</summary>
    private async Task TakeFromNewerAsync(
        string orderId,
        SourcingRequest request,
        Dictionary<string, SourcingLine> remaining,
        ReservationNumbering numbering,
        DateTimeOffset? expiresAt,
        OrderAge age,
        List<ReservationTaken> taken)
    {
        foreach (var line in remaining.Values.ToList())
        {
            var need = line.Quantity;
            var locations = request.Method == FulfillmentMethods.Pickup
                ? [request.PickupLocationId ?? ""]
                : SourcingPlanner.LocationsInOrder(request with { Lines = [line] });
            foreach (var locationId in locations)
            {
                if (need == 0)
                {
                    break;
                }
                var reservationLineId = numbering.Next(line.LineId, locationId);
                var result = await grains.GetGrain<IInventoryGrain>(InventoryKey.For(line.Sku, locationId)).ReserveAsync(new ReservationRequest
                {
                    Id = new ReservationId(orderId, reservationLineId),
                    Quantity = need,
                    ExpiresAt = expiresAt,
                    OrderedAt = age.ReceivedAt,
                    TakeFromNewer = true,
                });
                if (result.Quantity <= 0)
                {
                    continue;
                }
                numbering.Taken(line.LineId, locationId);
                taken.Add(new ReservationTaken(line.LineId, line.Sku, locationId, reservationLineId, result.Quantity));
                need -= result.Quantity;
            }
            if (need == 0)
            {
                remaining.Remove(line.LineId);
            }
            else
            {
                remaining[line.LineId] = line with { Quantity = need };
            }
        }
    }
}
