using Microsoft.Extensions.Logging;
using Retail.Contracts;
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
/// <remarks>
/// A reservation call that fails without an answer (the position's silo failed, its write failed, a timeout) may
/// have taken the stock all the same, and only the position can tell: the same position is asked again with the same
/// id, which finds the reservation or takes it. When sourcing fails all the same, the order's change is not written,
/// so every reservation this call took, or may have taken, is given back before the failure goes on: otherwise the
/// order's retry could source the line elsewhere and leave that stock held for nobody.
/// </remarks>
internal sealed partial class StockSourcer(IGrainFactory grains, ILogger logger)
{
    private const int ExtraAttempts = 2;
    private const int MaxAttempts = 8;
    private static readonly TimeSpan[] UnansweredRetryDelays =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

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
        ReservationTaken? asking = null;
        try
        {
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
                    var reservation = new ReservationRequest
                    {
                        Id = new ReservationId(orderId, reservationLineId),
                        Quantity = allocation.Quantity,
                        ExpiresAt = expiresAt,
                    };
                    asking = new ReservationTaken(allocation.LineId, allocation.Sku, allocation.LocationId, reservationLineId, allocation.Quantity);
                    var inventory = Inventory(asking);
                    var result = await AskUntilAnsweredAsync(() => inventory.ReserveAsync(reservation));
                    asking = null;
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
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            await GiveBackAsync(orderId, asking is null ? taken : [.. taken, asking]);
            throw;
        }

        var backordered = remaining.Values.Select(l => new LineQuantity { LineId = l.LineId, Quantity = l.Quantity }).ToList();
        return new SourcingOutcome(taken, backordered);
    }

    /// <summary>
    /// Releases reservations that nothing will hold (what a failed sourcing took or may have taken), each asked until
    /// answered; one that cannot be released is logged, and the caller goes on.
    /// </summary>
    public async Task GiveBackAsync(string orderId, IEnumerable<ReservationTaken> reservations)
    {
        foreach (var reservation in reservations)
        {
            var inventory = Inventory(reservation);
            var id = new ReservationId(orderId, reservation.ReservationLineId);
            try
            {
                await AskUntilAnsweredAsync(async () =>
                {
                    await inventory.ReleaseAsync(id);
                    return true;
                });
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogGiveBackFailed(logger, exception, id.ToString(), InventoryKey.For(reservation.Sku, reservation.LocationId));
            }
        }
    }

    private IInventoryGrain Inventory(ReservationTaken reservation) =>
        grains.GetGrain<IInventoryGrain>(InventoryKey.For(reservation.Sku, reservation.LocationId));

    /// <summary>Repeats an idempotent inventory call that failed without an answer; a domain error is an answer.</summary>
    private static async Task<T> AskUntilAnsweredAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception exception) when (exception is not RetailException and not OutOfMemoryException && attempt < UnansweredRetryDelays.Length)
            {
                await Task.Delay(UnansweredRetryDelays[attempt]);
            }
        }
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Giving back reservation {ReservationId} at {InventoryKey}, which no order holds, failed; the stock stays held until released")]
    private static partial void LogGiveBackFailed(ILogger logger, Exception exception, string reservationId, string inventoryKey);
}
