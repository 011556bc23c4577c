namespace Retail.Grains.Sourcing;

/// <summary>Units available per SKU and location, as far as the order knows; never negative.</summary>
internal sealed class AvailabilityMap
{
    private readonly Dictionary<string, Dictionary<string, int>> _bySku = new(StringComparer.Ordinal);

    public int Get(string sku, string locationId) =>
        _bySku.TryGetValue(sku, out var locations) && locations.TryGetValue(locationId, out var units) ? units : 0;

    public void Set(string sku, string locationId, int units)
    {
        if (!_bySku.TryGetValue(sku, out var locations))
        {
            _bySku[sku] = locations = new Dictionary<string, int>(StringComparer.Ordinal);
        }
        locations[locationId] = Math.Max(0, units);
    }

    public void Take(string sku, string locationId, int units) => Set(sku, locationId, Get(sku, locationId) - units);

    /// <summary>The locations with a figure for <paramref name="sku"/>, in no particular order.</summary>
    public IEnumerable<string> LocationsOf(string sku) =>
        _bySku.TryGetValue(sku, out var locations) ? locations.Keys : [];

    public AvailabilityMap Copy()
    {
        var copy = new AvailabilityMap();
        foreach (var (sku, locations) in _bySku)
        {
            foreach (var (location, units) in locations)
            {
                copy.Set(sku, location, units);
            }
        }
        return copy;
    }
}
