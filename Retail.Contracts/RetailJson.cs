using System.Text.Json;
using System.Text.Json.Serialization;

namespace Retail.Contracts;

/// <summary>The JSON conventions of the external contract: camelCase, enums as strings, nulls omitted.</summary>
public static class RetailJson
{
    /// <summary>Options for every payload Retail reads or writes: API bodies, ERP messages, events, grain state.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            MaxDepth = 32,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
