using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Retail.Api.Problems;
using Retail.Contracts;
using Retail.Contracts.Schemas;

namespace Retail.Api.Endpoints;

/// <summary>
/// The JSON Schemas (draft-07) of the external contract: the canonical order, the ERP messages and the events. Anonymous:
/// they describe the public contract, like the OpenAPI document, and hold no data.
/// </summary>
public static class SchemasEndpoints
{
    public const string SchemaContentType = "application/schema+json";

    public static IEndpointRouteBuilder MapSchemasEndpoints(this IEndpointRouteBuilder api)
    {
        var schemas = api.MapGroup("/schemas").WithTags("Schemas").AllowAnonymous();
        schemas.MapGet("/", List).WithName("ListSchemas")
            .WithSummary("The names of every published JSON Schema, sorted");
        schemas.MapGet("/{name}", Get).WithName("GetSchema")
            .WithSummary("One JSON Schema document, e.g. canonical-order.schema.json")
            .Produces<JsonObject>(StatusCodes.Status200OK, SchemaContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    internal static Ok<IReadOnlyList<string>> List() => TypedResults.Ok(SchemaCatalog.Names);

    internal static ContentHttpResult Get(string name)
    {
        if (!SchemaCatalog.Contains(name))
        {
            throw new RetailException(ApiProblemCodes.SchemaNotFound,
                $"No schema is named '{name}'. GET {RetailApi.BasePath}/schemas lists the names.");
        }
        return TypedResults.Text(SchemaCatalog.Read(name), SchemaContentType, Encoding.UTF8);
    }
}
