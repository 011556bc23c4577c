using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Retail.Infra.Tests;

[Collection(CompiledTemplateCollection.Name)]
public sealed partial class MainTemplateTests(CompiledTemplateFixture fixture)
{
    [Fact]
    public void Build_BicepScript_ReportsNoDiagnostics()
    {
        var output = fixture.BuildOutput;

        Assert.Contains("no diagnostics", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning", output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Template_Scope_IsSubscription()
    {
        var schema = (string)fixture.Main.Root["$schema"]!;

        Assert.Contains("subscriptionDeploymentTemplate", schema, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("environmentName")]
    [InlineData("location")]
    [InlineData("principalId")]
    public void Parameters_ForAzd_AreDeclared(string parameter)
    {
        var parameters = fixture.Main.Root["parameters"]!.AsObject();

        Assert.True(parameters.ContainsKey(parameter), $"main.bicep lacks the azd parameter {parameter}.");
    }

    [Fact]
    public void ParametersFile_EveryEntry_IsATemplateParameter()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture.RepositoryRoot, "infra", "main.parameters.json")))!;
        var declared = fixture.Main.Root["parameters"]!.AsObject();

        var unknown = file["parameters"]!.AsObject().Select(pair => pair.Key).Where(name => !declared.ContainsKey(name));

        Assert.Empty(unknown);
    }

    [Fact]
    public void ResourceGroup_Tags_CarryTheAzdEnvironmentName()
    {
        var resourceGroup = Assert.Single(fixture.Main.OfType("Microsoft.Resources/resourceGroups"));

        var tags = fixture.Main.Resolve(resourceGroup["tags"])!;

        Assert.Equal("[parameters('environmentName')]", (string?)tags["azd-env-name"]);
    }

    [Fact]
    public void Outputs_ForAzd_AreUpperSnakeAndNameTheRegistryLocationAndTenant()
    {
        var outputs = fixture.Main.Root["outputs"]!.AsObject().Select(pair => pair.Key).ToList();

        Assert.All(outputs, name => Assert.Matches(UpperSnake(), name));
        Assert.Contains("AZURE_CONTAINER_REGISTRY_ENDPOINT", outputs);
        Assert.Contains("AZURE_LOCATION", outputs);
        Assert.Contains("AZURE_TENANT_ID", outputs);
        Assert.Contains("SERVICE_API_URI", outputs);
        Assert.Contains("SERVICE_FUNCTIONS_URI", outputs);
    }

    [Fact]
    public void Template_Everywhere_RetrievesNoKeys()
    {
        var json = fixture.Main.Root.ToJsonString();

        Assert.DoesNotMatch(ListFunction(), json);
    }

    [Fact]
    public void Modules_InMainBicep_AreLocalFiles()
    {
        var source = File.ReadAllText(Path.Combine(fixture.RepositoryRoot, "infra", "main.bicep"));

        var paths = ModuleDeclaration().Matches(source).Select(match => match.Groups["path"].Value).ToList();

        Assert.NotEmpty(paths);
        Assert.All(paths, path =>
        {
            Assert.StartsWith("modules/", path, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(fixture.RepositoryRoot, "infra", path)), $"{path} is not in infra/.");
        });
    }

    [GeneratedRegex(@"^module\s+\w+\s+'(?<path>[^']+)'", RegexOptions.Multiline)]
    private static partial Regex ModuleDeclaration();

    [GeneratedRegex("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")]
    private static partial Regex UpperSnake();

    // listKeys, listSecrets, listConnectionStrings, listCredentials...: any of them would put a key in the deployment.
    [GeneratedRegex(@"\blist[A-Z][A-Za-z]*\(")]
    private static partial Regex ListFunction();
}
