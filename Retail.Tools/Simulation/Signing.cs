using System.Security.Cryptography;
using System.Text;

namespace Retail.Tools.Simulation;

/// <summary>Signs webhook bodies the way each sender does (CONTRACTS.md section 4).</summary>
internal static class Signing
{
    /// <summary>Shopify: base64 HMAC-SHA256 of the raw body.</summary>
    public static string Shopify(string secret, byte[] body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>Stripe: <c>t={unix},v1={hex HMAC-SHA256 of "{t}.{body}"}</c>.</summary>
    public static string Stripe(string secret, byte[] body, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var payload = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        return $"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload))}";
    }

    /// <summary>CloudEvents sources: <c>sha256={hex HMAC-SHA256 of the raw body}</c>.</summary>
    public static string Source(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
