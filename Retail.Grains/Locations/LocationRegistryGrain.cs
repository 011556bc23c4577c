using Orleans.Concurrency;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;
using Retail.Grains.Inventory;

namespace Retail.Grains.Locations;

[GenerateSerializer, Alias("Retail.LocationRegistryState")]
internal sealed class LocationRegistryState
{
    [Id(0)] public Dictionary<string, Location> Locations { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Every location, in memory and in operations storage; read far more often than written.</summary>
internal sealed class LocationRegistryGrain(
    [PersistentState("locations", StorageNames.Operations)] IPersistentState<LocationRegistryState> state)
    : Grain, ILocationRegistryGrain
{
    private IReadOnlyList<Location>? _sorted;

    public async Task<Location> UpsertAsync(Location location)
    {
        Validate(location);
        var locations = state.State.Locations;
        var previous = locations.GetValueOrDefault(location.LocationId);
        if (location == previous)
        {
            return location;
        }

        locations[location.LocationId] = location;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            if (previous is null)
            {
                locations.Remove(location.LocationId);
            }
            else
            {
                locations[location.LocationId] = previous;
            }
            throw;
        }
        _sorted = null;
        return location;
    }

    /// <summary>By priority (lowest, sourced first, first), then id.</summary>
    [ReadOnly]
    public Task<IReadOnlyList<Location>> GetAllAsync() =>
        Task.FromResult(_sorted ??= state.State.Locations.Values
            .OrderBy(l => l.Priority)
            .ThenBy(l => l.LocationId, StringComparer.Ordinal)
            .ToList());

    private static void Validate(Location? location)
    {
        var errors = new ValidationErrors();
        if (location is null)
        {
            errors.Add("location", "Is required.");
            errors.ThrowIfAny();
            return;
        }
        if (location.LocationId is null || !CanonicalOrderValidator.IsValidId(location.LocationId))
        {
            errors.Add("locationId", $"Must be 1-{CanonicalOrderValidator.MaxIdLength} characters of letters, digits, '-', '_', '.' or ':'.");
        }
        if (string.IsNullOrWhiteSpace(location.Name))
        {
            errors.Add("name", "Is required.");
        }
        if (!Enum.IsDefined(location.Type))
        {
            errors.Add("type", "Must be warehouse or store.");
        }
        if (location.Priority < 0)
        {
            errors.Add("priority", "Must not be negative.");
        }
        errors.ThrowIfAny();
    }
}
