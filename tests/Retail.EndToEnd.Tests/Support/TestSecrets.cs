namespace Retail.EndToEnd.Tests.Support;

/// <summary>The webhook secrets the tests give the AppHost (and sign with).</summary>
internal static class TestSecrets
{
    public const string Shopify = "e2e-shopify-secret";
    public const string Stripe = "whsec_e2e";

    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Webhooks__Shopify__Secrets__0"] = Shopify,
        ["Webhooks__Stripe__Secrets__0"] = Stripe,
        ["Webhooks__Sources__pos__Secret"] = "e2e-pos-secret",
        ["Webhooks__Sources__marketplace__Secret"] = "e2e-marketplace-secret",
        ["Webhooks__Sources__wms__Secret"] = "e2e-wms-secret",
    };
}
