using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Retail.Infra.Tests.Modules;

[Collection(CompiledTemplateCollection.Name)]
public sealed partial class ContainerAppTests(CompiledTemplateFixture fixture)
{
    [Fact]
    public void Silo_MinReplicas_IsAtLeastTwo()
    {
        var scale = fixture.Main.ModuleArgument("silo", "scale")!;
        var replicas = fixture.Main.Root["parameters"]!["siloReplicas"]!;

        Assert.Equal("[parameters('siloReplicas')]", (string?)scale["minReplicas"]);
        Assert.True(replicas["minValue"]!.GetValue<int>() >= 2);
        Assert.True(replicas["defaultValue"]!.GetValue<int>() >= 2);
    }

    [Fact]
    public void Silo_Ingress_ExposesSiloAndGatewayPortsInsideTheEnvironmentOnly()
    {
        var ingress = fixture.Main.ModuleArgument("silo", "ingress")!;

        var mapping = Assert.Single(ingress["additionalPortMappings"]!.AsArray())!;

        Assert.Equal("tcp", (string?)ingress["transport"]);
        Assert.False(ingress["external"]!.GetValue<bool>());
        Assert.Equal(11111, fixture.Main.Resolve(ingress["targetPort"])!.GetValue<int>());
        Assert.Equal(30000, fixture.Main.Resolve(mapping["targetPort"])!.GetValue<int>());
        Assert.False(mapping["external"]!.GetValue<bool>());
    }

    [Fact]
    public void Silo_AdvertisedAddress_IsLeftToEachReplica()
    {
        var names = EnvironmentVariables("silo").Select(setting => (string?)setting["name"]);

        Assert.DoesNotContain("Orleans__Endpoints__AdvertisedIPAddress", names);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("functions")]
    public void App_Ingress_IsExternalHttpsOnly(string app)
    {
        var ingress = fixture.Main.ModuleArgument(app, "ingress")!;

        Assert.True(ingress["external"]!.GetValue<bool>());
        Assert.False(ingress["allowInsecure"]!.GetValue<bool>());
        Assert.NotEqual("tcp", (string?)ingress["transport"]);
    }

    [Fact]
    public void Bridge_Scale_FollowsTheErpInboundBacklogAsTheBridgeIdentity()
    {
        var rules = fixture.Main.ModuleArgument("functions", "scale")!["rules"]!.AsArray();

        var serviceBus = rules.Single(rule => (string?)rule!["custom"]?["type"] == "azure-servicebus")!["custom"]!;

        Assert.Equal("[reference('serviceBus').outputs.name.value]", (string?)serviceBus["metadata"]!["namespace"]);
        Assert.Equal("[reference('serviceBus').outputs.inboundQueueName.value]", (string?)serviceBus["metadata"]!["queueName"]);
        Assert.True(int.Parse((string)serviceBus["metadata"]!["messageCount"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("[reference('functionsIdentity').outputs.id.value]", (string?)serviceBus["identity"]);
        Assert.Contains(rules, rule => rule!["http"] is not null);
    }

    [Fact]
    public void ContainerApps_ApiVersion_SupportsScaleRuleIdentity()
    {
        var app = Assert.Single(fixture.Main.Module("silo").OfType("Microsoft.App/containerApps"));

        Assert.True(string.CompareOrdinal((string)app["apiVersion"]!, "2024-02-02") >= 0);
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api")]
    [InlineData("functions")]
    public void App_EnvironmentVariables_AreDocumentedConfigurationNames(string app)
    {
        var documented = DocumentedConfigurationKeys();

        var undocumented = EnvironmentVariables(app)
            .Select(setting => (string)setting["name"]!)
            .Where(name => !documented.Any(pattern => pattern.IsMatch(name.Replace("__", ":", StringComparison.Ordinal))))
            .ToList();

        Assert.Empty(undocumented);
    }

    [Theory]
    [InlineData("silo", "Orleans__Clustering__ProviderType", "RetailPostgres")]
    [InlineData("silo", "Orleans__GrainStorage__orders__ProviderType", "RetailPostgres")]
    [InlineData("silo", "Orleans__GrainStorage__inventory__ProviderType", "RetailPostgres")]
    [InlineData("silo", "Orleans__GrainStorage__operations__ProviderType", "RetailPostgres")]
    [InlineData("silo", "Orleans__Reminders__ProviderType", "RetailPostgres")]
    [InlineData("silo", "Messaging__Transport", "Azure")]
    [InlineData("silo", "Postgres__UseEntraId", "true")]
    [InlineData("api", "Orleans__Clustering__ProviderType", "RetailPostgres")]
    [InlineData("functions", "Orleans__Clustering__ProviderType", "RetailPostgres")]
    [InlineData("functions", "Messaging__Transport", "Azure")]
    public void App_EnvironmentVariable_HasTheAzureValue(string app, string name, string value)
    {
        var setting = EnvironmentVariables(app).Single(setting => (string?)setting["name"] == name);

        Assert.Equal(value, (string?)setting["value"]);
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api")]
    [InlineData("functions")]
    public void App_ClientId_IsItsOwnIdentity(string app)
    {
        var clientId = EnvironmentVariables(app).Single(setting => (string?)setting["name"] == "AZURE_CLIENT_ID");

        Assert.Equal($"[reference('{app}Identity').outputs.clientId.value]", (string?)clientId["value"]);
        Assert.Equal($"[reference('{app}Identity').outputs.id.value]", (string?)fixture.Main.ModuleArgument(app, "identityId"));
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api")]
    [InlineData("functions")]
    public void App_EnvironmentVariables_HoldNoSecrets(string app)
    {
        var settings = EnvironmentVariables(app);

        Assert.All(settings, setting =>
        {
            var name = (string)setting["name"]!;
            Assert.Null(setting["secretRef"]);
            Assert.DoesNotMatch(SecretName(), name);
            Assert.DoesNotMatch(SecretValue(), (string)setting["value"]!);
        });
    }

    [Fact]
    public void ContainerApp_Configuration_DeclaresNoSecrets()
    {
        var app = Assert.Single(fixture.Main.Module("silo").OfType("Microsoft.App/containerApps"));

        var configuration = app["properties"]!["configuration"]!;

        Assert.Null(configuration["secrets"]);
        Assert.All(configuration["registries"]!.AsArray(), registry => Assert.Null(registry!["passwordSecretRef"]));
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api")]
    [InlineData("functions")]
    public void App_ServiceName_MatchesAzureYaml(string app)
    {
        var azureYaml = File.ReadAllText(Path.Combine(fixture.RepositoryRoot, "azure.yaml"));

        var serviceName = (string?)fixture.Main.ModuleArgument(app, "serviceName");

        Assert.Equal(app, serviceName);
        Assert.Matches(new Regex($@"(?m)^  {serviceName}:\s*$"), azureYaml);
    }

    private List<JsonObject> EnvironmentVariables(string app) =>
        fixture.Main.ModuleArgument(app, "sharedEnv")!.AsArray()
            .Concat(fixture.Main.ModuleArgument(app, "env")!.AsArray())
            .OfType<JsonObject>()
            .ToList();

    // The keys in the first column of docs/configuration.md's tables; {n} and {source} stand for any segment.
    private List<Regex> DocumentedConfigurationKeys()
    {
        var lines = File.ReadAllLines(Path.Combine(fixture.RepositoryRoot, "docs", "configuration.md"));
        return lines
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(line => BacktickedKey().Matches(line.Split('|')[1]).Select(match => match.Groups["key"].Value))
            .Select(key => new Regex("^" + Placeholder().Replace(Regex.Escape(key), "[^:]+") + "$"))
            .ToList();
    }

    [GeneratedRegex("`(?<key>[^`]+)`")]
    private static partial Regex BacktickedKey();

    [GeneratedRegex(@"\\\{[a-z]+}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("(?i)password|secret|saskey|accountkey")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?i)SharedAccessKey=|AccountKey=|Password=|sig=|\blist[A-Z]\w*\(|^[A-Za-z0-9+/]{40,}={0,2}$")]
    private static partial Regex SecretValue();
}
