using System.Text.Json.Nodes;

namespace Retail.Infra.Tests.Modules;

[Collection(CompiledTemplateCollection.Name)]
public sealed class PostgresTests(CompiledTemplateFixture fixture)
{
    private JsonObject Server => Assert.Single(
        fixture.Main.Module("postgres").OfType("Microsoft.DBforPostgreSQL/flexibleServers"));

    [Fact]
    public void Server_PasswordAuthentication_IsDisabled()
    {
        var authConfig = Server["properties"]!["authConfig"]!;

        Assert.Equal("Disabled", (string?)authConfig["passwordAuth"]);
    }

    [Fact]
    public void Server_EntraIdAuthentication_IsEnabled()
    {
        var authConfig = Server["properties"]!["authConfig"]!;

        Assert.Equal("Enabled", (string?)authConfig["activeDirectoryAuth"]);
        Assert.Null(Server["properties"]!["administratorLoginPassword"]);
    }

    [Fact]
    public void Server_PublicNetworkAccess_IsDisabled()
    {
        var network = Server["properties"]!["network"]!;

        Assert.Equal("Disabled", (string?)network["publicNetworkAccess"]);
        Assert.NotNull(network["delegatedSubnetResourceId"]);
    }

    [Fact]
    public void EntraAdministrators_ForEachApp_AreItsOwnIdentity()
    {
        var administrators = fixture.Main.ModuleArgument("postgres", "entraAdministrators")!.AsArray();

        Assert.Collection(
            administrators,
            silo => Assert.Equal("[reference('siloIdentity').outputs.name.value]", (string?)silo!["principalName"]),
            api => Assert.Equal("[reference('apiIdentity').outputs.name.value]", (string?)api!["principalName"]),
            functions => Assert.Equal("[reference('functionsIdentity').outputs.name.value]", (string?)functions!["principalName"]));
        Assert.All(administrators, administrator => Assert.Equal("ServicePrincipal", (string?)administrator!["principalType"]));
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("api")]
    [InlineData("functions")]
    public void App_PostgresUsername_IsItsEntraAdministratorName(string app)
    {
        var settings = fixture.Main.ModuleArgument(app, "env")!.AsArray();

        var username = settings.Single(setting => (string?)setting!["name"] == "Postgres__Username")!;

        Assert.Equal($"[reference('{app}Identity').outputs.name.value]", (string?)username["value"]);
    }
}
