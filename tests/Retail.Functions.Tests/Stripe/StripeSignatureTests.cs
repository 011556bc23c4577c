using System.Text;
using Retail.Functions.Stripe;

namespace Retail.Functions.Tests.Stripe;

public sealed class StripeSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"id\":\"evt_1\"}");
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    [Fact]
    public void Verify_WhenSignedBySecondSecret_IsValid()
    {
        var header = StripeSignature.Compute(Body, "whsec_new", Now);

        Assert.Null(StripeSignature.Verify(Body, header, ["whsec_old", "whsec_new"], Now, Tolerance));
    }

    [Fact]
    public void Verify_KnownVector_MatchesTheHexHmacOfTimestampDotBody()
    {
        var header = "t=1795521600,v1=" + Functions.Webhooks.WebhookSignature.ComputeHex(Encoding.UTF8.GetBytes("1795521600.{\"id\":\"evt_1\"}"), "whsec_x");

        Assert.Null(StripeSignature.Verify(Body, header, ["whsec_x"], DateTimeOffset.FromUnixTimeSeconds(1795521600), Tolerance));
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_WhenTimestampIsOutsideTheTolerance_IsInvalid(int seconds)
    {
        var header = StripeSignature.Compute(Body, "whsec_x", Now.AddSeconds(seconds));

        Assert.Contains("from now", StripeSignature.Verify(Body, header, ["whsec_x"], Now, Tolerance), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("t=abc,v1=00")]
    [InlineData("t=99999999999999999999,v1=00")]
    [InlineData("v1=0000")]
    [InlineData(",,,")]
    public void Verify_WhenHeaderIsGarbage_IsInvalid(string header)
    {
        Assert.NotNull(StripeSignature.Verify(Body, header, ["whsec_x"], Now, Tolerance));
    }

    [Fact]
    public void Verify_WhenNoSecretIsConfigured_IsInvalid()
    {
        var header = StripeSignature.Compute(Body, "whsec_x", Now);

        Assert.NotNull(StripeSignature.Verify(Body, header, [], Now, Tolerance));
    }
}
