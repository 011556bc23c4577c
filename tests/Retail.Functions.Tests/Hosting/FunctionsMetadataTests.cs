using System.Text.Json.Nodes;
using Retail.Functions.Hosting;

namespace Retail.Functions.Tests.Hosting;

/// <summary>The <c>functions.metadata</c> the Functions SDK generates from the build: what the Functions host will serve.</summary>
public sealed class FunctionsMetadataTests
{
    private static readonly string[] Expected =
    [
        "CloudEventsWebhook POST webhooks/events/{source} Anonymous",
        "CloudEventsWebhookValidation OPTIONS webhooks/events/{source} Anonymous",
        "ShopifyWebhook POST webhooks/shopify Anonymous",
        "StripeWebhook POST webhooks/stripe Anonymous",
    ];

    private static IEnumerable<JsonNode> Functions()
    {
        var path = Path.Combine(Path.GetDirectoryName(typeof(BridgeHosting).Assembly.Location)!, "functions.metadata");
        return JsonNode.Parse(File.ReadAllText(path))!.AsArray().Select(function => function!);
    }

    [Fact]
    public void FunctionsMetadata_Built_HoldsExactlyTheWebhookFunctions()
    {
        var described = Functions().Select(function =>
        {
            var trigger = Assert.Single(function["bindings"]!.AsArray(), binding => (string?)binding!["type"] == "httpTrigger")!;
            var methods = string.Join(',', trigger["methods"]!.AsArray().Select(method => ((string)method!).ToUpperInvariant()));
            return $"{function["name"]} {methods} {trigger["route"]} {trigger["authLevel"]}";
        }).Order(StringComparer.Ordinal);

        Assert.Equal(Expected, described);
    }

    [Fact]
    public void FunctionsMetadata_Built_IsTheRouteTableServedWithoutTheFunctionsHost()
    {
        var served = FunctionRoutes.Discover(typeof(BridgeHosting).Assembly)
            .Select(function => $"{function.Name} {string.Join(',', function.Methods)} {function.Route} {function.AuthLevel}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(Expected, served);
    }

    [Fact]
    public void FunctionsMetadata_Built_RunsEachFunctionInTheIsolatedWorker()
    {
        Assert.All(Functions(), function =>
        {
            Assert.Equal("dotnet-isolated", (string?)function["language"]);
            Assert.Equal("Retail.Functions.dll", (string?)function["scriptFile"]);
        });
    }
}
