namespace Retail.Contracts.Locations;

public enum LocationType
{
    Warehouse,
    Store,
}

/// <summary>A place that holds stock. Lower <see cref="Priority"/> is sourced first.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Location")]
public sealed record Location
{
    [Id(0)] public string LocationId { get; init; } = "";
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public LocationType Type { get; init; }
    [Id(3)] public int Priority { get; init; }
    [Id(4)] public string? Region { get; init; }
}

/// <summary>Every location's type, priority and region (a single grain, key <see cref="Key"/>).</summary>
[Alias("Retail.ILocationRegistryGrain")]
public interface ILocationRegistryGrain : IGrainWithStringKey
{
    const string Key = "default";

    [Alias("Upsert")]
    Task<Location> UpsertAsync(Location location);

    [Alias("GetAll")]
    Task<IReadOnlyList<Location>> GetAllAsync();
}
