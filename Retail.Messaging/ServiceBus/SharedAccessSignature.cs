using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Retail.Messaging.ServiceBus;

/// <summary>Service Bus and Event Hubs shared access signatures (an HMAC-SHA256 of the resource URI and the expiry).</summary>
public static class SharedAccessSignature
{
    /// <summary>
    /// <c>SharedAccessSignature sr=&lt;url-encoded resource&gt;&amp;sig=&lt;url-encoded base64 HMAC-SHA256 of "&lt;url-encoded resource&gt;\n&lt;expiry&gt;"&gt;&amp;se=&lt;expiry&gt;&amp;skn=&lt;key name&gt;</c>,
    /// the expiry in Unix seconds.
    /// </summary>
    public static string Create(string resourceUri, string keyName, string key, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resourceUri);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyName);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var encodedResource = WebUtility.UrlEncode(resourceUri);
        var expiry = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(encodedResource + "\n" + expiry)));
        return $"SharedAccessSignature sr={encodedResource}&sig={WebUtility.UrlEncode(signature)}&se={expiry}&skn={WebUtility.UrlEncode(keyName)}";
    }
}
