using System.Globalization;
using System.Text;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Stripe;

/// <summary>
/// Verifies <c>Stripe-Signature: t={unix seconds},v1={hex},v1={hex}...</c>: a v1 must be the hex HMAC-SHA256 of
/// <c>"{t}.{raw body}"</c> under one of the secrets, and t must be within the tolerance of now, either way.
/// </summary>
internal static class StripeSignature
{
    public const string HeaderName = "Stripe-Signature";
    private const int HashBytes = 32;

    /// <summary>Null when valid; otherwise why not.</summary>
    public static string? Verify(ReadOnlySpan<byte> body, string? header, IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return $"{HeaderName} is missing.";
        }
        string? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }
            var (key, value) = (part[..equals], part[(equals + 1)..]);
            if (key == "t")
            {
                timestamp = value;
            }
            else if (key == "v1")
            {
                var bytes = new byte[HashBytes];
                if (WebhookSignature.TryParseHex(value, bytes))
                {
                    signatures.Add(bytes);
                }
            }
        }
        if (timestamp is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return $"{HeaderName} has no valid timestamp.";
        }
        if (signatures.Count == 0)
        {
            return $"{HeaderName} has no v1 signature.";
        }
        var signedAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if ((now - signedAt).Duration() > tolerance)
        {
            return $"The signature's timestamp {signedAt:O} is more than {tolerance.TotalSeconds:0} s from now.";
        }
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        var matched = false;
        foreach (var signature in signatures)
        {
            matched |= WebhookSignature.MatchesAny(payload, signature, secrets);
        }
        return matched ? null : $"No v1 signature in {HeaderName} matches the body under any configured secret.";
    }

    /// <summary>The header a sender computes (for tests and tools).</summary>
    public static string Compute(ReadOnlySpan<byte> body, string secret, DateTimeOffset at)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body.ToArray()).ToArray();
        return $"t={timestamp},v1={WebhookSignature.ComputeHex(payload, secret)}";
    }
}
