using Microsoft.AspNetCore.Http.HttpResults;
using Retail.Api.Paging;
using Retail.Api.Security;
using Retail.Contracts.Locations;

namespace Retail.Api.Endpoints;

/// <summary>The places that hold stock, their type, sourcing priority and region.</summary>
public static class LocationsEndpoints
{
    public static IEndpointRouteBuilder MapLocationsEndpoints(this IEndpointRouteBuilder api)
    {
        var locations = api.MapGroup("/locations").WithTags("Locations");
        locations.MapGet("/", ListAsync).WithName("ListLocations").RequireAuthorization(Scopes.InventoryRead)
            .WithSummary("Every location, by priority");
        locations.MapPut("/{locationId}", UpsertAsync).WithName("PutLocation").RequireAuthorization(Scopes.InventoryWrite)
            .WithSummary("Creates or replaces a location")
            .ProducesValidationProblem();
        return api;
    }

    internal static async Task<Ok<IReadOnlyList<LocationResponse>>> ListAsync(IClusterClient cluster)
    {
        var all = await cluster.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).GetAllAsync();
        return TypedResults.Ok<IReadOnlyList<LocationResponse>>(
            [.. all.OrderBy(location => location.Priority).ThenBy(location => location.LocationId, StringComparer.Ordinal).Select(ToResponse)]);
    }

    internal static async Task<Ok<LocationResponse>> UpsertAsync(string locationId, LocationRequest request, IClusterClient cluster)
    {
        var validation = new QueryValidation().Id(nameof(locationId), locationId);
        Validation.Text(validation, "name", request.Name);
        Validation.Text(validation, "region", request.Region, required: false);
        LocationType type = default;
        if (request.Type is null || !TryParseType(request.Type, out type))
        {
            validation.Add("type", "Must be warehouse or store.");
        }
        if (request.Priority is null or < 0 or > 10_000)
        {
            validation.Add("priority", "Is required: 0 to 10000, lower is sourced first.");
        }
        validation.ThrowIfInvalid();

        var saved = await cluster.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).UpsertAsync(new Location
        {
            LocationId = locationId,
            Name = request.Name!,
            Type = type,
            Priority = request.Priority!.Value,
            Region = request.Region,
        });
        return TypedResults.Ok(ToResponse(saved));
    }

    private static bool TryParseType(string value, out LocationType type)
    {
        type = value.ToUpperInvariant() switch
        {
            "WAREHOUSE" => LocationType.Warehouse,
            "STORE" => LocationType.Store,
            _ => (LocationType)(-1),
        };
        return Enum.IsDefined(type);
    }

    private static LocationResponse ToResponse(Location location) =>
        new(location.LocationId, location.Name, location.Type == LocationType.Store ? "store" : "warehouse", location.Priority, location.Region);
}
