using Retail.Contracts;
using Retail.Contracts.Locations;

namespace Retail.Grains.Tests.Locations;

[Collection(ClusterCollection.Name)]
public sealed class LocationRegistryGrainTests(ClusterFixture fixture)
{
    private ILocationRegistryGrain Registry => fixture.Grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key);

    [Fact]
    public async Task GetAll_AfterUpserts_SortsByPriorityThenId()
    {
        var prefix = $"loc-{Guid.NewGuid():N}";

        await Registry.UpsertAsync(Location($"{prefix}-c", priority: 1));
        await Registry.UpsertAsync(Location($"{prefix}-b", priority: 2));
        await Registry.UpsertAsync(Location($"{prefix}-a", priority: 1));

        var ours = (await Registry.GetAllAsync()).Where(l => l.LocationId.StartsWith(prefix, StringComparison.Ordinal));
        Assert.Equal([$"{prefix}-a", $"{prefix}-c", $"{prefix}-b"], ours.Select(l => l.LocationId));
    }

    [Fact]
    public async Task Upsert_Existing_ReplacesIt()
    {
        var id = $"loc-{Guid.NewGuid():N}";
        await Registry.UpsertAsync(Location(id, priority: 5));

        await Registry.UpsertAsync(Location(id, priority: 0) with { Name = "Renamed", Type = LocationType.Store, Region = "EU" });

        var stored = Assert.Single(await Registry.GetAllAsync(), l => l.LocationId == id);
        Assert.Equal(("Renamed", LocationType.Store, 0, "EU"), (stored.Name, stored.Type, stored.Priority, stored.Region));
    }

    [Fact]
    public async Task Upsert_Invalid_ThrowsWithFieldErrorsAndStoresNothing()
    {
        var invalid = new Location { LocationId = "no spaces allowed", Name = " ", Type = (LocationType)7, Priority = -1 };

        var error = await Assert.ThrowsAsync<RetailValidationException>(() => Registry.UpsertAsync(invalid));

        Assert.Equal(["locationId", "name", "priority", "type"], error.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(await Registry.GetAllAsync(), l => l.LocationId == invalid.LocationId);
    }

    private static Location Location(string id, int priority) =>
        new() { LocationId = id, Name = $"Location {id}", Type = LocationType.Warehouse, Priority = priority };
}
