using System.Text.Json.Nodes;

namespace Retail.Infra.Tests.Modules;

/// <summary>The bridge as Azure Functions on Container Apps, with the Functions host's own storage.</summary>
[Collection(CompiledTemplateCollection.Name)]
public sealed class FunctionsAppTests(CompiledTemplateFixture fixture)
{
    private const string BlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";

    private Dictionary<string, string?> Settings() =>
        fixture.Main.ModuleArgument("functions", "env")!.AsArray().OfType<JsonObject>()
            .ToDictionary(setting => (string)setting["name"]!, setting => (string?)setting["value"]);

    [Fact]
    public void FunctionsApp_Kind_IsFunctionApp()
    {
        var app = Assert.Single(fixture.Main.Module("functions").OfType("Microsoft.App/containerApps"));

        Assert.Equal("functionapp", (string?)fixture.Main.ModuleArgument("functions", "kind"));
        Assert.Equal("[if(empty(parameters('kind')), null(), parameters('kind'))]", (string?)app["kind"]);
        Assert.True(string.CompareOrdinal((string)app["apiVersion"]!, "2025-07-01") >= 0);
    }

    [Fact]
    public void FunctionsApp_Environment_IsTheSilosEnvironment()
    {
        Assert.Equal(
            (string?)fixture.Main.ModuleArgument("silo", "environmentId"),
            (string?)fixture.Main.ModuleArgument("functions", "environmentId"));
    }

    [Fact]
    public void FunctionsApp_Settings_RunTheIsolatedWorkerWithIdentityBasedHostStorage()
    {
        var settings = Settings();

        Assert.Equal("dotnet-isolated", settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("[reference('storage').outputs.name.value]", settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[reference('functionsIdentity').outputs.clientId.value]", settings["AzureWebJobsStorage__clientId"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
    }

    [Fact]
    public void FunctionsApp_Replicas_AreAtLeastOneSoTheErpConsumerRuns()
    {
        var scale = fixture.Main.ModuleArgument("functions", "scale")!;

        Assert.True(scale["minReplicas"]!.GetValue<int>() >= 1);
        Assert.True(scale["maxReplicas"]!.GetValue<int>() > scale["minReplicas"]!.GetValue<int>());
    }

    [Fact]
    public void FunctionsApp_Ingress_TargetsTheFunctionsHostPort()
    {
        var ingress = fixture.Main.ModuleArgument("functions", "ingress")!;
        var probes = fixture.Main.ModuleArgument("functions", "probes")!.AsArray();

        Assert.Equal(80, fixture.Main.Resolve(ingress["targetPort"])!.GetValue<int>());
        Assert.All(probes, probe => Assert.Equal(80, fixture.Main.Resolve(probe!["tcpSocket"]!["port"])!.GetValue<int>()));
    }

    [Fact]
    public void HostStorage_Account_AcceptsNoSharedKeyAndNoPublicBlobs()
    {
        var account = Assert.Single(fixture.Main.Module("storage").OfType("Microsoft.Storage/storageAccounts"));
        var properties = account["properties"]!;

        Assert.False(properties["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.False(properties["allowBlobPublicAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", (string?)properties["minimumTlsVersion"]);
    }

    [Fact]
    public void HostStorage_Roles_AreBlobDataOwnerForTheBridgeOnly()
    {
        var module = fixture.Main.Module("storage");

        var assignment = Assert.Single(module.OfType("Microsoft.Authorization/roleAssignments"));

        Assert.Equal(BlobDataOwner, module.RoleDefinitionGuid(assignment));
        Assert.Equal("functionsIdentityName", module.PrincipalIdentityParameter(assignment));
        Assert.Equal("[variables('functionsIdentityName')]", (string?)fixture.Main.ModuleArgument("storage", "functionsIdentityName"));
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('name'))]", (string?)assignment["scope"]);
    }
}
