namespace Retail.Functions.Webhooks;

/// <summary>A webhook call as the handlers see it, independent of the host: the raw body and the headers.</summary>
internal sealed record WebhookRequest
{
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Header name (case-insensitive) to value; repeated headers joined with a comma.</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public string CorrelationId { get; init; } = "";

    public string? Header(string name) => Headers.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public static IReadOnlyDictionary<string, string> HeadersFrom(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            result[name] = result.TryGetValue(name, out var existing) ? $"{existing},{value}" : value;
        }
        return result;
    }
}
