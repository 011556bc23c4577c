using System.Net;
using System.Security.Cryptography;
using System.Text;
using Retail.Messaging.ServiceBus;

namespace Retail.Messaging.Tests.ServiceBus;

public sealed class SharedAccessSignatureTests
{
    [Fact]
    public void Create_ForAResource_SignsTheEncodedResourceAndExpiryWithHmacSha256()
    {
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);

        var token = SharedAccessSignature.Create("sb://retail.servicebus.windows.net/erp-inbound", "RootManageSharedAccessKey", "a2V5LW1hdGVyaWFs", expiresAt);

        Assert.StartsWith("SharedAccessSignature ", token);
        var fields = token["SharedAccessSignature ".Length..].Split('&').Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        Assert.Equal(["sr", "sig", "se", "skn"], fields.Keys);
        Assert.Equal("sb%3A%2F%2Fretail.servicebus.windows.net%2Ferp-inbound", fields["sr"]);
        Assert.Equal("1900000000", fields["se"]);
        Assert.Equal("RootManageSharedAccessKey", fields["skn"]);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes("a2V5LW1hdGVyaWFs"), Encoding.UTF8.GetBytes(fields["sr"] + "\n" + fields["se"]));
        Assert.Equal(expected, Convert.FromBase64String(WebUtility.UrlDecode(fields["sig"])));
    }

    [Fact]
    public void Create_WithDifferentKeys_GivesDifferentSignatures()
    {
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);

        var first = SharedAccessSignature.Create("sb://ns/q", "k", "key-one", expiresAt);
        var second = SharedAccessSignature.Create("sb://ns/q", "k", "key-two", expiresAt);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void Create_WithoutKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => SharedAccessSignature.Create("sb://ns/q", "k", "", DateTimeOffset.UtcNow));
    }
}
