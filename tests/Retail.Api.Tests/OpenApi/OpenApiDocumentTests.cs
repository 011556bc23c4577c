using System.Text.Json;
using System.Text.Json.Nodes;

namespace Retail.Api.Tests.OpenApi;

/// <summary>
/// The generated OpenAPI document must equal the committed baseline (Retail.Api/openapi/v1.json), so that a change of the
/// contract is a reviewed change. After an intended change, regenerate the baseline with
/// <c>RETAIL_UPDATE_OPENAPI=1 dotnet test tests/Retail.Api.Tests --filter OpenApiDocumentTests</c>.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiDocumentTests(ApiFactory api)
{
    private static readonly string[] ContractOperations =
    [
        "post /api/v1/orders", "get /api/v1/orders", "get /api/v1/orders/{orderId}", "post /api/v1/orders/{orderId}/cancel",
        "post /api/v1/orders/{orderId}/returns", "get /api/v1/availability/{sku}", "get /api/v1/inventory/{sku}/{locationId}",
        "put /api/v1/inventory/{sku}/{locationId}", "put /api/v1/locations/{locationId}", "get /api/v1/exceptions",
        "post /api/v1/exceptions/{id}/retry", "post /api/v1/exceptions/{id}/resolve", "get /api/v1/kpis",
    ];

    [Fact]
    public async Task Document_EqualsTheCommittedBaseline()
    {
        using var client = api.CreateClient();
        var generated = Normalize(await client.GetStringAsync("/openapi/v1.json"));
        var baselinePath = Path.Combine(RepositoryRoot(), "Retail.Api", "openapi", "v1.json");
        if (Environment.GetEnvironmentVariable("RETAIL_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(baselinePath, generated);
        }

        var baseline = Normalize(await File.ReadAllTextAsync(baselinePath));

        Assert.True(baseline == generated,
            "The OpenAPI document changed. If the change is intended and not breaking, update the baseline: "
            + "RETAIL_UPDATE_OPENAPI=1 dotnet test tests/Retail.Api.Tests --filter OpenApiDocumentTests");
    }

    [Fact]
    public async Task Document_DescribesEveryContractOperationWithBearerAndProblems()
    {
        using var client = api.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject();
        foreach (var operation in ContractOperations)
        {
            var (method, path) = (operation.Split(' ')[0], operation.Split(' ')[1]);
            var described = paths[path]?[method];
            Assert.True(described is not null, $"{operation} is not in the document");
            Assert.NotNull(described["security"]);
            Assert.NotNull(described["responses"]!["401"]);
        }
        Assert.NotNull(document["components"]!["securitySchemes"]!["Bearer"]);
        Assert.NotNull(document["components"]!["schemas"]!["ProblemDetails"]!["properties"]!["code"]);
        Assert.NotNull(paths["/api/v1/orders"]!["post"]!["parameters"]!.AsArray().SingleOrDefault(p => p!["name"]!.GetValue<string>() == "Idempotency-Key"));
    }

    [Fact]
    public async Task Document_DescribesTheSchemasAnonymously_AndNoWebhooks()
    {
        using var client = api.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject();
        var schema = paths["/api/v1/schemas/{name}"]?["get"];
        Assert.NotNull(schema);
        Assert.Null(schema["security"]);
        Assert.NotNull(schema["responses"]!["200"]!["content"]!["application/schema+json"]);
        Assert.NotNull(schema["responses"]!["404"]);
        Assert.NotNull(paths["/api/v1/schemas"]?["get"]);
        Assert.DoesNotContain(paths, path => path.Key.StartsWith("/webhooks", StringComparison.Ordinal));
    }

    private static string Normalize(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).ReplaceLineEndings("\n") + "\n";

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Retail.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Retail.sln not found above the test output directory.");
    }
}
