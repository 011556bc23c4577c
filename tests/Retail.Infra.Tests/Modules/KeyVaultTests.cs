namespace Retail.Infra.Tests.Modules;

[Collection(CompiledTemplateCollection.Name)]
public sealed class KeyVaultTests(CompiledTemplateFixture fixture)
{
    private const string SecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    [Fact]
    public void Vault_Authorization_IsRbac()
    {
        var vault = Assert.Single(fixture.Main.Module("key-vault").OfType("Microsoft.KeyVault/vaults"));

        Assert.True(vault["properties"]!["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.Null(vault["properties"]!["accessPolicies"]);
    }

    [Fact]
    public void SecretsUser_OnTheVault_IsTheBridgeIdentity()
    {
        var module = fixture.Main.Module("key-vault");

        var readers = module.OfType("Microsoft.Authorization/roleAssignments")
            .Where(assignment => module.RoleDefinitionGuid(assignment) == SecretsUser)
            .ToList();

        var reader = Assert.Single(readers);
        Assert.Equal("functionsIdentityName", module.PrincipalIdentityParameter(reader));
        Assert.Equal("[variables('functionsIdentityName')]", (string?)fixture.Main.ModuleArgument("key-vault", "functionsIdentityName"));
    }
}
