using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Benchmarks.Baseline;

/// <summary>
/// The conventional design behind the same HTTP contract as Retail: <c>POST /api/v1/orders</c> (201 with
/// <c>{orderId, status}</c>, 200 for a duplicate, 400 with field errors) and <c>GET /api/v1/availability/{sku}</c>.
/// Runs as its own process (the benchmark starts it), on Kestrel, on loopback.
/// </summary>
internal static class BaselineServer
{
    public const string ConnectionStringVariable = "RETAIL_BENCH_BASELINE_DB";

    public static async Task RunAsync(string url, int poolSize, CancellationToken cancellationToken)
    {
        var connectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable)
            ?? throw new InvalidOperationException($"Set {ConnectionStringVariable} to the baseline database's connection string.");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var pooled = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = poolSize,
            MinPoolSize = poolSize,
            MaxAutoPrepare = 32,
            AutoPrepareMinUsages = 2,
            NoResetOnClose = true,
        };
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(pooled.ConnectionString));
        builder.Services.AddSingleton<BaselineOrderStore>();

        await using var app = builder.Build();
        app.MapGet("/health", () => TypedResults.Ok());
        var api = app.MapGroup("/api/v1");
        api.MapPost("/orders", PlaceOrderAsync);
        api.MapGet("/availability/{sku}", GetAvailabilityAsync);
        await app.RunAsync(cancellationToken);
    }

    private static async Task<Results<Created<OrderAccepted>, Ok<OrderAccepted>, ValidationProblem>> PlaceOrderAsync(HttpRequest request, BaselineOrderStore store, CancellationToken cancellationToken)
    {
        CanonicalOrder? order;
        try
        {
            order = await JsonSerializer.DeserializeAsync<CanonicalOrder>(request.Body, RetailJson.Options, cancellationToken);
        }
        catch (JsonException exception)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [exception.Message] });
        }

        if (order is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["An order is required."] });
        }

        var errors = CanonicalOrderValidator.Validate(order);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var placed = await store.PlaceAsync(order, cancellationToken);
        var accepted = new OrderAccepted(placed.OrderId, placed.Status);
        return placed.Created ? TypedResults.Created($"/api/v1/orders/{placed.OrderId}", accepted) : TypedResults.Ok(accepted);
    }

    private static async Task<Ok<AvailabilityResponse>> GetAvailabilityAsync(string sku, BaselineOrderStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.GetAvailabilityAsync(sku, cancellationToken));
}

internal sealed record OrderAccepted(string OrderId, string Status);
