using Microsoft.AspNetCore.Http.HttpResults;
using Retail.Api.Idempotency;
using Retail.Api.Paging;
using Retail.Api.Security;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Transfers;

namespace Retail.Api.Endpoints;

/// <summary>Stock transfers between locations: asked for here, carried out by the ERP (TransferShipped, TransferReceived).</summary>
public static class TransfersEndpoints
{
    public static IEndpointRouteBuilder MapTransfersEndpoints(this IEndpointRouteBuilder api)
    {
        var transfers = api.MapGroup("/transfers").WithTags("Transfers");
        transfers.MapPost("/", RequestAsync).WithName("RequestTransfer").RequireAuthorization(Scopes.InventoryWrite).WithIdempotency()
            .WithSummary("Asks the ERP to move stock from one location to another")
            .WithDescription("201 with the transfer's id; the request goes to the ERP as TransferRequested. Unknown locations answer 422 retail.location.not-found.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        transfers.MapGet("/{transferId}", GetAsync).WithName("GetTransfer").RequireAuthorization(Scopes.InventoryRead)
            .WithSummary("The transfer: requested, shipped (in transit) or received, with its lines")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static string TransferPath(string transferId) => $"{RetailApi.BasePath}/transfers/{transferId}";

    internal static async Task<Created<TransferCreatedResponse>> RequestAsync(TransferRequestBody body, IClusterClient cluster)
    {
        var validation = new QueryValidation();
        validation.Id("fromLocationId", body.FromLocationId);
        validation.Id("toLocationId", body.ToLocationId);
        var lines = new List<SkuQuantity>();
        if (body.Lines is not { Count: > 0 })
        {
            validation.Add("lines", "At least one line is required.");
        }
        else
        {
            for (var i = 0; i < body.Lines.Count; i++)
            {
                var sku = validation.Sku($"lines[{i}].sku", body.Lines[i].Sku);
                if (body.Lines[i].Quantity is not (>= 1 and <= InventoryEndpoints.MaxQuantity))
                {
                    validation.Add($"lines[{i}].quantity", $"Must be between 1 and {InventoryEndpoints.MaxQuantity}.");
                }
                lines.Add(new SkuQuantity { Sku = sku, Quantity = body.Lines[i].Quantity ?? 0 });
            }
        }
        validation.ThrowIfInvalid();

        // The transfer grain checks the rest (distinct, registered locations; each SKU once) before anything is sent.
        var transferId = $"tr-{Guid.NewGuid():N}";
        var transfer = await cluster.GetGrain<ITransferGrain>(transferId).RequestAsync(new TransferRequest
        {
            FromLocationId = body.FromLocationId!,
            ToLocationId = body.ToLocationId!,
            Lines = lines,
        });
        return TypedResults.Created(TransferPath(transfer.TransferId), new TransferCreatedResponse(transfer.TransferId, transfer.Status.ToString()));
    }

    internal static async Task<Ok<TransferView>> GetAsync(string transferId, IClusterClient cluster)
    {
        new QueryValidation().Id(nameof(transferId), transferId).ThrowIfInvalid();
        var transfer = await cluster.GetGrain<ITransferGrain>(transferId).GetAsync()
            ?? throw new RetailException(ProblemCodes.TransferNotFound, $"No transfer has the id '{transferId}'.");
        return TypedResults.Ok(transfer);
    }
}
