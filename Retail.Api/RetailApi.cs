using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json.Serialization;
using Asp.Versioning;
using Retail.Api.Endpoints;
using Retail.Api.Idempotency;
using Retail.Api.OpenApi;
using Retail.Api.Operations;
using Retail.Api.Problems;
using Retail.Api.RateLimiting;
using Retail.Api.Security;
using Scalar.AspNetCore;

namespace Retail.Api;

/// <summary>The REST API's services (<see cref="AddRetailApi"/>) and its pipeline and endpoints (<see cref="MapRetailApi"/>).</summary>
public static class RetailApi
{
    public const string BasePath = "/api/v1";

    public static IHostApplicationBuilder AddRetailApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemWriter.Customize);
        services.AddExceptionHandler<RetailExceptionHandler>();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            options.SerializerOptions.MaxDepth = 32;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });
        services.AddApiVersioning(options =>
        {
            options.DefaultApiVersion = new ApiVersion(1);
            options.ReportApiVersions = true;
            options.ApiVersionReader = new PathApiVersionReader();
        });
        builder.AddRetailAuthentication();
        builder.AddClientRateLimiting();
        services.AddRetailOpenApi();
        services.Configure<KpiOptions>(builder.Configuration.GetSection("Kpis"));
        services.AddOperationsReadModel(builder.Configuration);
        services.AddSingleton<IIdempotencyStore, GrainIdempotencyStore>();
        services.AddScoped<IdempotencyFilter>();
        return builder;
    }

    public static WebApplication MapRetailApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiRequestSizeLimit(app.Configuration.GetValue("Api:MaxRequestBodyBytes", RequestSizeLimit.DefaultMaxBytes));
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
        app.MapDevelopmentTokens();

        var api = app.NewVersionedApi("Retail").MapGroup(BasePath).HasApiVersion(1)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapOrdersEndpoints();
        api.MapInventoryEndpoints();
        api.MapLocationsEndpoints();
        api.MapTransfersEndpoints();
        api.MapExceptionsEndpoints();
        api.MapKpisEndpoints();
        api.MapSchemasEndpoints();
        return app;
    }

    /// <summary>Reads the API version from the literal path segment (<c>/api/v1/...</c>), so that routes and the document keep /api/v1.</summary>
    private sealed class PathApiVersionReader : IApiVersionReader
    {
        public void AddParameters(IApiVersionParameterDescriptionContext context)
        {
        }

        public IReadOnlyList<string> Read(HttpRequest request)
        {
            var segments = request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries);
            return segments is ["api", ['v', .. var version], ..] ? [version] : [];
        }
    }
}
