using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Retail.Api.Paging;

/// <summary>
/// The opaque cursors of list endpoints: the position where the next page starts, bound to the query's filters so that
/// a cursor cannot be reused with other filters. Base64url JSON; not a secret, only opaque.
/// </summary>
internal static class PageCursor
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static string Encode(string position, string filters) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Envelope(position, Fingerprint(filters)), PagingJsonContext.Default.Envelope));

    /// <summary>The position the cursor carries; false when it is not a cursor issued for these filters.</summary>
    public static bool TryDecode(string cursor, string filters, out string position)
    {
        position = "";
        if (cursor.Length > 2048)
        {
            return false;
        }
        try
        {
            var envelope = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(cursor), PagingJsonContext.Default.Envelope);
            if (envelope is null || string.IsNullOrEmpty(envelope.P) || !string.Equals(envelope.F, Fingerprint(filters), StringComparison.Ordinal))
            {
                return false;
            }
            position = envelope.P;
            return true;
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            return false;
        }
    }

    private static string Fingerprint(string filters) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(filters)))[..16];

    internal sealed record Envelope(string P, string F);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(PageCursor.Envelope))]
internal sealed partial class PagingJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
