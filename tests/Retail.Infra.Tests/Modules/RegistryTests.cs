namespace Retail.Infra.Tests.Modules;

[Collection(CompiledTemplateCollection.Name)]
public sealed class RegistryTests(CompiledTemplateFixture fixture)
{
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

    [Fact]
    public void Registry_AdminUser_IsDisabled()
    {
        var registry = Assert.Single(fixture.Main.Module("registry").OfType("Microsoft.ContainerRegistry/registries"));

        Assert.False(registry["properties"]!["adminUserEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public void AcrPull_ForEachApp_IsGrantedOnTheRegistry()
    {
        var module = fixture.Main.Module("registry");

        var pullers = fixture.Main.ModuleArgument("registry", "pullIdentityNames")!.AsArray().Select(node => (string?)node);
        var assignment = Assert.Single(module.OfType("Microsoft.Authorization/roleAssignments"));

        Assert.Equal(
            ["[variables('siloIdentityName')]", "[variables('apiIdentityName')]", "[variables('functionsIdentityName')]"],
            pullers);
        Assert.Equal(AcrPull, module.RoleDefinitionGuid(assignment));
        Assert.Equal("[resourceId('Microsoft.ContainerRegistry/registries', parameters('name'))]", (string?)assignment["scope"]);
        Assert.Equal("[length(parameters('pullIdentityNames'))]", (string?)assignment["copy"]!["count"]);
    }
}
