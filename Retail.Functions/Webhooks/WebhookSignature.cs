using System.Security.Cryptography;
using System.Text;

namespace Retail.Functions.Webhooks;

/// <summary>HMAC-SHA256 checks of webhook signatures, in constant time, against every configured secret.</summary>
internal static class WebhookSignature
{
    private const int HashBytes = 32;

    /// <summary>True when <paramref name="signature"/> is the base64 HMAC of <paramref name="payload"/> under one of the secrets.</summary>
    public static bool MatchesBase64(ReadOnlySpan<byte> payload, string? signature, IReadOnlyList<string> secrets)
    {
        Span<byte> expected = stackalloc byte[HashBytes];
        if (signature is null || !Convert.TryFromBase64String(signature.Trim(), expected, out var written) || written != HashBytes)
        {
            return false;
        }
        return MatchesAny(payload, expected, secrets);
    }

    /// <summary>True when <paramref name="signature"/> is the hex HMAC of <paramref name="payload"/> under one of the secrets.</summary>
    public static bool MatchesHex(ReadOnlySpan<byte> payload, string? signature, IReadOnlyList<string> secrets)
    {
        Span<byte> expected = stackalloc byte[HashBytes];
        if (!TryParseHex(signature, expected))
        {
            return false;
        }
        return MatchesAny(payload, expected, secrets);
    }

    private static bool TryParseHex(string? hex, Span<byte> destination)
    {
        if (hex is null || hex.Length != destination.Length * 2)
        {
            return false;
        }
        return Convert.FromHexString(hex, destination, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == destination.Length;
    }

    private static bool MatchesAny(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> expected, IReadOnlyList<string> secrets)
    {
        Span<byte> actual = stackalloc byte[HashBytes];
        var matched = false;
        foreach (var secret in secrets)
        {
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload, actual);
            // Every secret is tried even after a match, so the time taken does not tell which one matched.
            matched |= CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        return matched;
    }

    /// <summary>The base64 HMAC-SHA256 of a payload (what a sender computes).</summary>
    public static string ComputeBase64(ReadOnlySpan<byte> payload, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload));

    /// <summary>The lower-case hex HMAC-SHA256 of a payload (what a sender computes).</summary>
    public static string ComputeHex(ReadOnlySpan<byte> payload, string secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload));
}
