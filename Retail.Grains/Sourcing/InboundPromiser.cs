using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;

namespace Retail.Grains.Sourcing;

/// <summary>A promise of inbound supply a position granted.</summary>
internal sealed record PromiseTaken(string LineId, string Sku, string LocationId, string ReservationLineId, int Quantity, DateTimeOffset PromisedAt);

/// <summary>
/// Promises what stock on hand could not cover from inbound supply: per line, the location whose free inbound supply
/// covers the quantity earliest (<see cref="PromiseRule"/> over the supply alone), then the next ones, until a position
/// grants it. A pickup order is promised only at its pickup location. The picture may be stale; each position has the
/// final word. A line no position can promise stays backordered.
/// </summary>
internal sealed class InboundPromiser(IGrainFactory grains)
{
    public async Task<List<PromiseTaken>> PromiseAsync(
        string orderId,
        Fulfillment fulfillment,
        IReadOnlyList<SourcingLine> lines,
        ReservationNumbering numbering,
        DateTimeOffset orderedAt,
        SourcingPicture picture,
        DateTimeOffset now)
    {
        var taken = new List<PromiseTaken>();
        foreach (var line in lines.Where(l => l.Quantity > 0))
        {
            if (!picture.Skus.TryGetValue(line.Sku, out var availability))
            {
                continue;
            }
            var positions = availability.Locations
                .Where(p => p.Inbound.Count > 0)
                .Where(p => fulfillment.Method != FulfillmentMethods.Pickup || p.LocationId == fulfillment.PickupLocationId)
                .Select(p => p with { Available = 0, Inbound = FreeAfter(p, taken, line.Sku) });
            foreach (var candidate in PromiseRule.Candidates(positions, line.Quantity, now))
            {
                var reservationLineId = numbering.Next(line.LineId, candidate.LocationId);
                var result = await grains.GetGrain<IInventoryGrain>(InventoryKey.For(line.Sku, candidate.LocationId)).PromiseAsync(new PromiseRequest
                {
                    Id = new ReservationId(orderId, reservationLineId),
                    Quantity = line.Quantity,
                    OrderedAt = orderedAt,
                });
                if (!result.Promised || result.PromisedAt is null)
                {
                    continue;
                }
                numbering.Taken(line.LineId, candidate.LocationId);
                taken.Add(new PromiseTaken(line.LineId, line.Sku, candidate.LocationId, reservationLineId, result.Quantity, result.PromisedAt.Value));
                break;
            }
        }
        return taken;
    }

    /// <summary>The position's supplies less what this order was just promised there (two lines of one SKU).</summary>
    private static List<InboundSupplyView> FreeAfter(InventoryPosition position, List<PromiseTaken> taken, string sku)
    {
        var already = taken.Where(t => t.Sku == sku && t.LocationId == position.LocationId).Sum(t => t.Quantity);
        var supplies = new List<InboundSupplyView>();
        foreach (var supply in position.Inbound.OrderBy(s => s.ExpectedAt))
        {
            var used = Math.Min(already, supply.Free);
            already -= used;
            supplies.Add(supply with { Promised = supply.Promised + used });
        }
        return supplies;
    }
}
