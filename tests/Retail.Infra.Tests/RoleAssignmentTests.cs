using System.Text.Json.Nodes;

namespace Retail.Infra.Tests;

[Collection(CompiledTemplateCollection.Name)]
public sealed class RoleAssignmentTests(CompiledTemplateFixture fixture)
{
    private IEnumerable<JsonObject> AllRoleAssignments => fixture.Main.WithModules()
        .SelectMany(template => template.OfType("Microsoft.Authorization/roleAssignments"));

    [Fact]
    public void RoleAssignments_Everywhere_AreScopedToAResource()
    {
        var assignments = AllRoleAssignments.ToList();

        Assert.NotEmpty(assignments);
        Assert.All(assignments, assignment =>
        {
            var scope = (string?)assignment["scope"];
            Assert.NotNull(scope);
            Assert.StartsWith("[resourceId('Microsoft.", scope, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void RoleAssignments_AtSubscriptionScope_AreNone()
    {
        var atSubscription = fixture.Main.OfType("Microsoft.Authorization/roleAssignments");

        Assert.Empty(atSubscription);
    }

    [Fact]
    public void RoleAssignments_Everywhere_AreNamedWithGuid()
    {
        var names = AllRoleAssignments.Select(assignment => (string)assignment["name"]!);

        Assert.All(names, name => Assert.StartsWith("[guid(", name, StringComparison.Ordinal));
    }

    [Fact]
    public void RoleAssignments_Everywhere_DeclareTheirPrincipalType()
    {
        var principalTypes = AllRoleAssignments.Select(assignment => assignment["properties"]!["principalType"]);

        Assert.All(principalTypes, Assert.NotNull);
    }
}
