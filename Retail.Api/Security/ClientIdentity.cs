using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace Retail.Api.Security;

/// <summary>Who a request comes from, for rate limiting and Idempotency-Key scoping.</summary>
internal static class ClientIdentity
{
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The token's subject (or client id), else the API key header (hashed), else the remote IP.</summary>
    public static string Of(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            var subject = user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier)
                ?? user.FindFirstValue("azp") ?? user.FindFirstValue("appid") ?? user.FindFirstValue("client_id");
            if (!string.IsNullOrEmpty(subject))
            {
                return "sub:" + subject;
            }
        }
        var apiKey = context.Request.Headers[ApiKeyHeader].ToString();
        if (!string.IsNullOrEmpty(apiKey))
        {
            return "key:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)))[..32];
        }
        return "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
    }
}
