using System.Collections.Concurrent;
using NJsonSchema;
using NJsonSchema.Validation;
using Retail.Contracts.Schemas;

namespace Retail.Functions.Validation;

/// <summary>Validates JSON against the contract's schemas (<see cref="SchemaCatalog"/>), each loaded once.</summary>
internal sealed class SchemaValidator
{
    private readonly ConcurrentDictionary<string, Lazy<Task<JsonSchema>>> schemas = new(StringComparer.Ordinal);

    /// <summary>Field path to messages; empty when <paramref name="json"/> satisfies the schema.</summary>
    /// <exception cref="KeyNotFoundException">No schema has this name.</exception>
    public async Task<IReadOnlyDictionary<string, string[]>> ValidateAsync(string schemaName, string json)
    {
        var schema = await schemas.GetOrAdd(schemaName, name => new Lazy<Task<JsonSchema>>(() => JsonSchema.FromJsonAsync(SchemaCatalog.Read(name)))).Value;
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        Collect(schema.Validate(json), errors);
        return errors.ToDictionary(entry => entry.Key, entry => entry.Value.ToArray(), StringComparer.Ordinal);
    }

    private static void Collect(IEnumerable<ValidationError> found, Dictionary<string, List<string>> errors)
    {
        foreach (var error in found)
        {
            if (error is ChildSchemaValidationError child)
            {
                foreach (var nested in child.Errors.Values)
                {
                    Collect(nested, errors);
                }
            }
            var path = string.IsNullOrEmpty(error.Path) ? "$" : error.Path.TrimStart('#', '/').Replace('/', '.');
            if (!errors.TryGetValue(path, out var messages))
            {
                errors[path] = messages = [];
            }
            messages.Add(error.Kind.ToString());
        }
    }
}
