using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Retail.Api.Idempotency;

namespace Retail.Api.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json: the bearer scheme with the scope each operation needs, the Idempotency-Key
/// header on POST operations, and the <c>code</c> and <c>correlationId</c> members of every problem.
/// </summary>
internal static class RetailOpenApi
{
    public const string DocumentName = "v1";
    public const string SchemeName = "Bearer";

    public static void AddRetailOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Retail API";
                document.Info.Version = "v1";
                document.Info.Description = "Order and inventory middleware: order intake, queries, availability, cancellations, returns, exceptions and KPIs. "
                    + "Every error is RFC 9457 problem+json with a stable code and the request's correlationId; every response carries X-Correlation-Id.";
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "Entra ID (Azure) or dotnet user-jwts (local) token; scopes in scope/scp or roles: "
                        + string.Join(", ", Security.Scopes.All) + ".",
                };
                AddProblemMembers(document);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var policies = metadata.OfType<IAuthorizeData>().Select(data => data.Policy).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                if (policies.Count > 0 && context.Document is { } document)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = policies });
                }
                if (metadata.OfType<IAllowAnonymous>().Any())
                {
                    // The API group lists 401 and 403 for every operation; an anonymous one never answers them.
                    operation.Responses?.Remove(StatusCodes.Status401Unauthorized.ToString(CultureInfo.InvariantCulture));
                    operation.Responses?.Remove(StatusCodes.Status403Forbidden.ToString(CultureInfo.InvariantCulture));
                }
                if (metadata.OfType<IdempotentEndpointMetadata>().Any())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = IdempotencyFilter.HeaderName,
                        In = ParameterLocation.Header,
                        Required = false,
                        Description = "Repeats with the same key and request answer the first response without executing again; "
                            + "the same key with another request answers 422 retail.idempotency.conflict.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
                    });
                }
                return Task.CompletedTask;
            });
        });

    private static void AddProblemMembers(OpenApiDocument document)
    {
        if (document.Components?.Schemas is not { } schemas)
        {
            return;
        }
        foreach (var name in new[] { "ProblemDetails", "HttpValidationProblemDetails" })
        {
            if (schemas.TryGetValue(name, out var found) && found is OpenApiSchema schema)
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Stable problem code, e.g. retail.order.not-found." };
                schema.Properties["correlationId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's correlation id (also in X-Correlation-Id)." };
            }
        }
    }
}
