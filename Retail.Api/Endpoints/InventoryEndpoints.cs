using Microsoft.AspNetCore.Http.HttpResults;
using Retail.Api.Paging;
using Retail.Api.Security;
using Retail.Contracts;
using Retail.Contracts.Inventory;

namespace Retail.Api.Endpoints;

/// <summary>Availability across locations and single stock positions.</summary>
public static class InventoryEndpoints
{
    public const int MaxQuantity = 100_000_000;

    public static IEndpointRouteBuilder MapInventoryEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGroup("/availability").WithTags("Inventory")
            .MapGet("/{sku}", GetAvailabilityAsync).WithName("GetAvailability").RequireAuthorization(Scopes.InventoryRead)
            .WithSummary("Available units of a SKU at every location and in total, its inbound supply, and with ?quantity=N when N units can be promised")
            .ProducesValidationProblem();

        var inventory = api.MapGroup("/inventory").WithTags("Inventory");
        inventory.MapGet("/{sku}/{locationId}", GetPositionAsync).WithName("GetInventoryPosition").RequireAuthorization(Scopes.InventoryRead)
            .WithSummary("One stock position")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        inventory.MapPut("/{sku}/{locationId}", SetStockAsync).WithName("SetInventoryPosition").RequireAuthorization(Scopes.InventoryWrite)
            .WithSummary("Sets on hand and safety stock of one position outright")
            .ProducesValidationProblem();
        return api;
    }

    internal static async Task<Ok<AvailabilityResponse>> GetAvailabilityAsync(string sku, int? quantity, IClusterClient cluster, TimeProvider time)
    {
        var validation = new QueryValidation();
        sku = validation.Sku(nameof(sku), sku);
        if (quantity is < 1 or > MaxQuantity)
        {
            validation.Add(nameof(quantity), $"Must be between 1 and {MaxQuantity}.");
        }
        validation.ThrowIfInvalid();
        var availability = await cluster.GetGrain<ISkuAvailabilityGrain>(sku).GetAsync();
        var promise = quantity is { } wanted ? PromiseRule.Earliest(availability.Locations, wanted, time.GetUtcNow()) : null;
        return TypedResults.Ok(new AvailabilityResponse(
            sku,
            availability.Total,
            [.. availability.Locations.Select(position => new LocationAvailability(
                position.LocationId, position.OnHand, position.Reserved, position.SafetyStock, position.Available)
            {
                InTransit = position.InTransit,
                Promised = position.Promised,
            })])
        {
            Inbound = [.. availability.Locations
                .SelectMany(position => position.Inbound.Select(supply => new InboundResponse(
                    position.LocationId, supply.Quantity, supply.ExpectedAt, supply.Reference, supply.Kind, supply.Promised)))
                .OrderBy(supply => supply.ExpectedAt)
                .ThenBy(supply => supply.LocationId, StringComparer.Ordinal)],
            Promise = promise is null ? null : new PromiseResponse(promise.Quantity, promise.AvailableFrom, promise.LocationId),
        });
    }

    internal static async Task<Ok<InventoryPositionResponse>> GetPositionAsync(string sku, string locationId, IClusterClient cluster)
    {
        var validation = new QueryValidation();
        sku = validation.Sku(nameof(sku), sku);
        validation.Id(nameof(locationId), locationId).ThrowIfInvalid();
        var position = await cluster.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId)).GetAsync();
        if (!position.Known)
        {
            throw new RetailException(ProblemCodes.InventoryNotFound, $"No stock was ever recorded for '{sku}' at '{locationId}'.");
        }
        return TypedResults.Ok(ToResponse(position));
    }

    internal static async Task<Ok<InventoryPositionResponse>> SetStockAsync(string sku, string locationId, SetStockRequest request, IClusterClient cluster)
    {
        var validation = new QueryValidation();
        sku = validation.Sku(nameof(sku), sku);
        validation.Id(nameof(locationId), locationId);
        Quantity(validation, "onHand", request.OnHand);
        Quantity(validation, "safetyStock", request.SafetyStock);
        validation.ThrowIfInvalid();

        var position = await cluster.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId)).SetStockAsync(request.OnHand!.Value, request.SafetyStock!.Value);
        return TypedResults.Ok(ToResponse(position));
    }

    private static void Quantity(QueryValidation validation, string field, int? value)
    {
        if (value is null)
        {
            validation.Add(field, "Is required.");
        }
        else if (value is < 0 or > MaxQuantity)
        {
            validation.Add(field, $"Must be between 0 and {MaxQuantity}.");
        }
    }

    private static InventoryPositionResponse ToResponse(InventoryPosition position) =>
        new(position.Sku, position.LocationId, position.OnHand, position.SafetyStock, position.Reserved, position.Available, position.SnapshotAsOf);
}
