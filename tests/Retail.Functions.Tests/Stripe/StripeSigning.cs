using System.Text;
using Stripe;

namespace Retail.Functions.Tests.Stripe;

/// <summary>The <c>Stripe-Signature</c> header Stripe sends, made with Stripe.net's own signer.</summary>
internal static class StripeSigning
{
    public static string Header(byte[] body, string secret, DateTimeOffset at) =>
        EventUtility.GenerateSignatureHeader(Encoding.UTF8.GetString(body), secret, at.ToUnixTimeSeconds());
}
