using System.Text.Json;

namespace Retail.Functions.Validation;

/// <summary>Parses untrusted JSON with a bounded depth, before anything else looks at it.</summary>
internal static class JsonInput
{
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    /// <summary>The parsed document, or null with the reason when the bytes are not one well-formed JSON value.</summary>
    public static JsonDocument? TryParse(ReadOnlyMemory<byte> json, out string? error)
    {
        if (json.IsEmpty)
        {
            error = "The body is empty.";
            return null;
        }
        try
        {
            error = null;
            return JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException exception)
        {
            error = exception.Message;
            return null;
        }
    }
}
