using System.Reflection;

namespace Retail.Contracts.Schemas;

/// <summary>
/// The JSON Schemas (draft-07) of the external contract, embedded in this assembly: the canonical order, every ERP
/// message (<c>erp.{MessageType}.schema.json</c>), the event envelope (<c>cloudevent.schema.json</c>) and the data of
/// every event type (<c>event.{type}.schema.json</c>).
/// </summary>
public static class SchemaCatalog
{
    public const string CanonicalOrder = "canonical-order.schema.json";
    public const string EventEnvelope = "cloudevent.schema.json";

    private const string ResourcePrefix = "Retail.Contracts.Schemas.";
    private static readonly Assembly ContractsAssembly = typeof(SchemaCatalog).Assembly;

    /// <summary>The file names of every schema, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = ContractsAssembly.GetManifestResourceNames()
        .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".schema.json", StringComparison.Ordinal))
        .Select(name => name[ResourcePrefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The schema of an ERP message body, by its <c>MessageType</c>.</summary>
    public static string ForErpMessage(string messageType) => $"erp.{messageType}.schema.json";

    /// <summary>The schema of an event's <c>data</c>, by its CloudEvents <c>type</c>.</summary>
    public static string ForEventData(string eventType) => $"event.{eventType}.schema.json";

    public static bool Contains(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>The schema's JSON text.</summary>
    /// <exception cref="KeyNotFoundException">No schema has this name.</exception>
    public static string Read(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var stream = ContractsAssembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new KeyNotFoundException($"No schema named '{name}'. Known: {string.Join(", ", Names)}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
