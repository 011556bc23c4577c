namespace Retail.Infra.Tests.Modules;

[Collection(CompiledTemplateCollection.Name)]
public sealed class EventHubsTests(CompiledTemplateFixture fixture)
{
    private const string DataSender = "2b629674-e913-4c01-ae53-ef4638d8f975";

    [Fact]
    public void Namespace_LocalAuth_IsDisabled()
    {
        var ns = Assert.Single(fixture.Main.Module("event-hubs").OfType("Microsoft.EventHub/namespaces"));

        Assert.True(ns["properties"]!["disableLocalAuth"]!.GetValue<bool>());
    }

    [Fact]
    public void Hub_RetailEvents_IsDeclared()
    {
        var hub = Assert.Single(fixture.Main.Module("event-hubs").OfType("Microsoft.EventHub/namespaces/eventhubs"));

        Assert.EndsWith("'retail-events')]", (string)hub["name"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void DataSender_OnTheHub_IsTheSiloOnly()
    {
        var module = fixture.Main.Module("event-hubs");

        var assignment = Assert.Single(module.OfType("Microsoft.Authorization/roleAssignments"));

        Assert.Equal(DataSender, module.RoleDefinitionGuid(assignment));
        Assert.StartsWith("[resourceId('Microsoft.EventHub/namespaces/eventhubs'", (string)assignment["scope"]!, StringComparison.Ordinal);
        Assert.Equal("siloIdentityName", module.PrincipalIdentityParameter(assignment));
        Assert.Equal("[variables('siloIdentityName')]", (string?)fixture.Main.ModuleArgument("event-hubs", "siloIdentityName"));
    }
}
