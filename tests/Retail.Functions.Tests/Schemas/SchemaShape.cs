using System.Text.Json;
using System.Text.Json.Nodes;

namespace Retail.Functions.Tests.Schemas;

/// <summary>
/// The compatibility-relevant shape of a schema: every field path with its JSON type(s), and the required paths.
/// Paths start at <c>$</c>; array items add <c>[]</c>; local <c>$ref</c>s are followed.
/// </summary>
public sealed record SchemaShape(SortedDictionary<string, string> Fields, SortedSet<string> Required)
{
    public static SchemaShape Of(string schemaJson)
    {
        var root = JsonNode.Parse(schemaJson)!.AsObject();
        var shape = new SchemaShape(new SortedDictionary<string, string>(StringComparer.Ordinal), new SortedSet<string>(StringComparer.Ordinal));
        shape.Walk(root, root, "$", []);
        return shape;
    }

    /// <summary>Every way <paramref name="current"/> breaks this baseline: a field removed, a type changed, a new required field.</summary>
    public IReadOnlyList<string> BreakingChanges(SchemaShape current)
    {
        var problems = new List<string>();
        foreach (var (path, type) in Fields)
        {
            if (!current.Fields.TryGetValue(path, out var now))
            {
                problems.Add($"field {path} was removed");
            }
            else if (now != type)
            {
                problems.Add($"field {path} changed type from {type} to {now}");
            }
        }
        foreach (var path in current.Required.Where(path => !Required.Contains(path)))
        {
            var parent = path[..path.LastIndexOf('.')];
            if (parent == "$" || Fields.ContainsKey(parent))
            {
                problems.Add($"field {path} became required");
            }
        }
        return problems;
    }

    private void Walk(JsonObject root, JsonObject node, string path, HashSet<string> visiting)
    {
        if (node["$ref"]?.GetValue<string>() is { } reference)
        {
            if (!visiting.Add(reference))
            {
                return;
            }
            var target = reference.TrimStart('#', '/').Split('/').Aggregate((JsonNode?)root, (current, segment) => current?[segment])?.AsObject()
                ?? throw new InvalidOperationException($"Unresolved $ref {reference} at {path}.");
            Walk(root, target, path, visiting);
            visiting.Remove(reference);
            return;
        }
        if (path != "$")
        {
            Fields[path] = TypeOf(node);
        }
        if (node["required"] is JsonArray required)
        {
            foreach (var name in required)
            {
                Required.Add($"{path}.{name!.GetValue<string>()}");
            }
        }
        if (node["properties"] is JsonObject properties)
        {
            foreach (var (name, property) in properties)
            {
                Walk(root, property!.AsObject(), $"{path}.{name}", visiting);
            }
        }
        if (node["items"] is JsonObject items)
        {
            Walk(root, items, $"{path}[]", visiting);
        }
    }

    private static string TypeOf(JsonObject node) => node["type"] switch
    {
        JsonArray types => string.Join('|', types.Select(type => type!.GetValue<string>()).Order(StringComparer.Ordinal)),
        JsonValue type => type.GetValue<string>(),
        _ => "any",
    };

    public JsonObject ToJson() => new()
    {
        ["fields"] = new JsonObject(Fields.Select(field => KeyValuePair.Create(field.Key, (JsonNode?)JsonValue.Create(field.Value)))),
        ["required"] = new JsonArray([.. Required.Select(path => (JsonNode?)JsonValue.Create(path))]),
    };

    public static SchemaShape FromJson(JsonObject json) => new(
        new SortedDictionary<string, string>(json["fields"]!.AsObject().ToDictionary(field => field.Key, field => field.Value!.GetValue<string>()), StringComparer.Ordinal),
        new SortedSet<string>(json["required"]!.AsArray().Select(path => path!.GetValue<string>()), StringComparer.Ordinal));

    public static JsonSerializerOptions WriteOptions { get; } = new() { WriteIndented = true };
}
