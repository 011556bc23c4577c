using System.Text.Json;
using System.Text.Json.Serialization;

namespace Retail.Functions.Stripe;

/// <summary>A Stripe event (<c>object: event</c>) as delivered to a webhook endpoint.</summary>
internal sealed record StripeEvent
{
    public string Id { get; init; } = "";
    public string Type { get; init; } = "";
    public long Created { get; init; }
    public StripeEventData? Data { get; init; }
}

internal sealed record StripeEventData
{
    public JsonElement Object { get; init; }
    /// <summary>The changed attributes' values before the event (e.g. <c>amount_refunded</c>).</summary>
    public JsonElement? PreviousAttributes { get; init; }
}

internal sealed record StripePaymentIntent
{
    public string Id { get; init; } = "";
    public long Amount { get; init; }
    public long AmountReceived { get; init; }
    public long AmountCapturable { get; init; }
    public string Currency { get; init; } = "";
    /// <summary><c>succeeded</c>, <c>requires_capture</c>, <c>requires_payment_method</c>, <c>processing</c>, <c>canceled</c>...</summary>
    public string Status { get; init; } = "";
    public Dictionary<string, string>? Metadata { get; init; }
    public StripePaymentError? LastPaymentError { get; init; }
}

internal sealed record StripePaymentError
{
    public string? Code { get; init; }
    public string? DeclineCode { get; init; }
    public string? Message { get; init; }
}

internal sealed record StripeCharge
{
    public string Id { get; init; } = "";
    public long Amount { get; init; }
    public long AmountRefunded { get; init; }
    public string Currency { get; init; } = "";
    public string? PaymentIntent { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
    /// <summary>Present on older API versions and when expanded.</summary>
    public StripeList<StripeRefund>? Refunds { get; init; }
}

internal sealed record StripeList<T>
{
    public IReadOnlyList<T> Data { get; init; } = [];
}

internal sealed record StripeRefund
{
    public string Id { get; init; } = "";
    public long Amount { get; init; }
    /// <summary><c>succeeded</c>, <c>pending</c>, <c>failed</c>, <c>canceled</c>, <c>requires_action</c>.</summary>
    public string? Status { get; init; }
}

internal static class StripeJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = 64,
    };
}

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
