namespace Retail.Grains.Sourcing;

/// <summary>
/// Names an order's reservations: <c>{lineId}@{locationId}</c> for a line's first reservation at a location,
/// <c>{lineId}@{locationId}#{n}</c> for the n-th. An id is never reused for a later reservation, so a late notice about
/// a released reservation cannot be mistaken for a newer one; and the names follow from the order's stored
/// reservations, so a retry after a crash names the same reservations again and the inventory recognises them.
/// </summary>
internal sealed class ReservationNumbering
{
    private readonly Dictionary<(string LineId, string LocationId), int> _counts = [];

    public ReservationNumbering(IEnumerable<(string LineId, string LocationId)> existing)
    {
        foreach (var key in existing)
        {
            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>The id of a line's first reservation at a location.</summary>
    public static string First(string lineId, string locationId) => $"{lineId}@{locationId}";

    /// <summary>The id the next reservation of this line at this location gets.</summary>
    public string Next(string lineId, string locationId)
    {
        var number = _counts.GetValueOrDefault((lineId, locationId)) + 1;
        return number == 1 ? First(lineId, locationId) : $"{First(lineId, locationId)}#{number}";
    }

    /// <summary>The reservation named by <see cref="Next"/> was taken: the following one gets the next number.</summary>
    public void Taken(string lineId, string locationId) =>
        _counts[(lineId, locationId)] = _counts.GetValueOrDefault((lineId, locationId)) + 1;
}
