using System.Text;
using Retail.Functions.Stripe;

namespace Retail.Functions.Tests.Stripe;

public sealed class StripeWebhookSignatureTests
{
    private const string Json = "{\"id\":\"evt_1\"}";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(Json);
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    [Fact]
    public void VerifySignature_WhenSignedBySecondSecret_IsValid()
    {
        var header = StripeSigning.Header(Body, "whsec_new", Now);

        Assert.Null(StripeWebhook.VerifySignature(Json, header, ["whsec_old", "whsec_new"], Now, Tolerance));
    }

    [Fact]
    public void VerifySignature_KnownVector_MatchesTheHexHmacOfTimestampDotBody()
    {
        var header = "t=1795521600,v1=" + Functions.Webhooks.WebhookSignature.ComputeHex(Encoding.UTF8.GetBytes("1795521600.{\"id\":\"evt_1\"}"), "whsec_x");

        Assert.Null(StripeWebhook.VerifySignature(Json, header, ["whsec_x"], DateTimeOffset.FromUnixTimeSeconds(1795521600), Tolerance));
    }

    [Fact]
    public void VerifySignature_WhenAnyOfSeveralV1Matches_IsValid()
    {
        var valid = StripeSigning.Header(Body, "whsec_x", Now);
        var header = $"{valid},v1={new string('0', 64)}";

        Assert.Null(StripeWebhook.VerifySignature(Json, header, ["whsec_x"], Now, Tolerance));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void VerifySignature_WhenTimestampIsOutsideTheTolerance_IsInvalid(int seconds)
    {
        var header = StripeSigning.Header(Body, "whsec_x", Now.AddSeconds(seconds));

        Assert.Contains("tolerance", StripeWebhook.VerifySignature(Json, header, ["whsec_x"], Now, Tolerance), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("t=abc,v1=00")]
    [InlineData("t=99999999999999999999,v1=00")]
    [InlineData("v1=0000")]
    [InlineData(",,,")]
    public void VerifySignature_WhenHeaderIsGarbage_IsInvalid(string header)
    {
        Assert.NotNull(StripeWebhook.VerifySignature(Json, header, ["whsec_x"], Now, Tolerance));
    }

    [Fact]
    public void VerifySignature_WhenNoSecretIsConfigured_IsInvalid()
    {
        var header = StripeSigning.Header(Body, "whsec_x", Now);

        Assert.NotNull(StripeWebhook.VerifySignature(Json, header, [], Now, Tolerance));
    }
}
