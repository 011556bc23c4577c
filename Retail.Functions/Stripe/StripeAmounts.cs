namespace Retail.Functions.Stripe;

/// <summary>Stripe amounts are integers in the currency's smallest unit.</summary>
internal static class StripeAmounts
{
    private static readonly HashSet<string> ZeroDecimal = new(StringComparer.OrdinalIgnoreCase)
    {
        "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
    };

    private static readonly HashSet<string> ThreeDecimal = new(StringComparer.OrdinalIgnoreCase) { "bhd", "jod", "kwd", "omr", "tnd" };

    public static decimal ToDecimal(long minorUnits, string currency) =>
        ZeroDecimal.Contains(currency) ? minorUnits
        : ThreeDecimal.Contains(currency) ? minorUnits / 1000m
        : minorUnits / 100m;
}
