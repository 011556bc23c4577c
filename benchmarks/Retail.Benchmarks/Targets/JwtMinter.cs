using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Retail.Benchmarks.Targets;

/// <summary>Mints an HS256 JSON Web Token (RFC 7519): base64url(header).base64url(payload).base64url(HMAC-SHA256).</summary>
internal static class JwtMinter
{
    public static string Mint(byte[] key, string issuer, string audience, string subject, string scope, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        var header = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT" });
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["iss"] = issuer,
            ["aud"] = audience,
            ["scope"] = scope,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.AddMinutes(-1).ToUnixTimeSeconds(),
            ["exp"] = now.Add(lifetime).ToUnixTimeSeconds(),
        });
        var signingInput = Base64Url(header) + "." + Base64Url(payload);
        var signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
