using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Retail.Infra.Tests;

/// <summary>A compiled ARM template (or a module's nested template) and the lookups the tests need.</summary>
public sealed partial class ArmTemplate(JsonObject root)
{
    public JsonObject Root { get; } = root;

    /// <summary>Resources in either template form: an array (language version 1) or symbolic names (2.0).</summary>
    public IEnumerable<JsonObject> Resources => Root["resources"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject symbols => symbols.Select(pair => pair.Value).OfType<JsonObject>(),
        _ => [],
    };

    /// <summary>Declared resources of this template (not <c>existing</c> references) of one type.</summary>
    public IEnumerable<JsonObject> OfType(string type) => Resources.Where(resource =>
        string.Equals((string?)resource["type"], type, StringComparison.OrdinalIgnoreCase)
        && resource["existing"]?.GetValue<bool>() != true);

    /// <summary>This template and every nested module template, depth first.</summary>
    public IEnumerable<ArmTemplate> WithModules()
    {
        yield return this;
        foreach (var deployment in OfType("Microsoft.Resources/deployments"))
        {
            var nested = new ArmTemplate(deployment["properties"]!["template"]!.AsObject());
            foreach (var template in nested.WithModules())
            {
                yield return template;
            }
        }
    }

    public JsonObject ModuleDeployment(string name) =>
        OfType("Microsoft.Resources/deployments").SingleOrDefault(deployment => (string?)deployment["name"] == name)
        ?? throw new InvalidOperationException($"No module deployment named '{name}'.");

    public ArmTemplate Module(string name) =>
        new(ModuleDeployment(name)["properties"]!["template"]!.AsObject());

    /// <summary>The value that this template passes to a module's parameter.</summary>
    public JsonNode? ModuleArgument(string module, string parameter) =>
        ModuleDeployment(module)["properties"]!["parameters"]![parameter]?["value"];

    /// <summary>Follows <c>[variables('name')]</c> to the variable's value; other nodes are returned as they are.</summary>
    public JsonNode? Resolve(JsonNode? node)
    {
        while (node is JsonValue value && value.TryGetValue<string>(out var text)
            && VariableReference().Match(text) is { Success: true } match)
        {
            node = Root["variables"]![match.Groups["name"].Value];
        }

        return node;
    }

    /// <summary>The role definition GUID of a role assignment, read through the variable that names it.</summary>
    public string RoleDefinitionGuid(JsonObject roleAssignment)
    {
        var expression = (string)Resolve(roleAssignment["properties"]!["roleDefinitionId"])!;
        var match = RoleDefinitionReference().Match(expression);
        return match.Success
            ? match.Groups["guid"].Value
            : throw new InvalidOperationException($"Unexpected role definition id {expression}.");
    }

    /// <summary>
    /// The parameter that names the managed identity a role assignment is for: either referenced directly
    /// (<c>reference(resourceId(..., parameters('x')))</c>) or through an existing resource's symbolic name.
    /// </summary>
    public string? PrincipalIdentityParameter(JsonObject roleAssignment)
    {
        var principalId = (string)roleAssignment["properties"]!["principalId"]!;
        var direct = ParameterReference().Match(principalId);
        if (direct.Success)
        {
            return direct.Groups["name"].Value;
        }

        var symbolic = SymbolicReference().Match(principalId);
        if (symbolic.Success && Root["resources"] is JsonObject symbols && symbols[symbolic.Groups["symbol"].Value] is JsonObject identity)
        {
            var name = ParameterReference().Match((string)identity["name"]!);
            return name.Success ? name.Groups["name"].Value : null;
        }

        return null;
    }

    [GeneratedRegex(@"parameters\('(?<name>[^']+)'\)")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"^\[reference\('(?<symbol>[^']+)'\)")]
    private static partial Regex SymbolicReference();

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"roleDefinitions', '(?<guid>[0-9a-f-]{36})'")]
    private static partial Regex RoleDefinitionReference();
}
