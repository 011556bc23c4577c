namespace Retail.Functions.Webhooks;

/// <summary>The <c>Webhooks</c> configuration section (CONTRACTS.md section 4; secrets come from Key Vault in Azure).</summary>
internal sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    public ShopifyWebhookOptions Shopify { get; set; } = new();
    public StripeWebhookOptions Stripe { get; set; } = new();

    /// <summary>CloudEvents sources by name (the <c>{source}</c> of /webhooks/events/{source}).</summary>
    public Dictionary<string, EventSourceOptions> Sources { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How long an event about an unknown order is answered with 503 (so the sender retries, in case the order is
    /// on its way) before it is acknowledged and left to the open exception record.
    /// </summary>
    public TimeSpan UnknownOrderRetryPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a delivery waits for a concurrent delivery of the same event before answering 503.</summary>
    public TimeSpan ConcurrentDeliveryWait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a processing lease holds before a redelivery may process the event again.</summary>
    public TimeSpan ProcessingLease { get; set; } = TimeSpan.FromMinutes(2);

    public IReadOnlyList<string> SecretsOf(string source) =>
        Sources.TryGetValue(source, out var options) ? options.AllSecrets() : [];
}

internal sealed class ShopifyWebhookOptions
{
    /// <summary>The app's client secrets; several during a rotation.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>
    /// Shopify local pickup shipping line code (or title) to the Retail location id of the store; an order whose shipping
    /// line matches is a pickup at that location.
    /// </summary>
    public Dictionary<string, string> PickupLocations { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

internal sealed class StripeWebhookOptions
{
    /// <summary>The endpoint's signing secrets (<c>whsec_...</c>); several during a rotation.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>How far the signed timestamp may be from now, either way.</summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromSeconds(300);
}

internal sealed class EventSourceOptions
{
    public string? Secret { get; set; }

    /// <summary>Further secrets accepted during a rotation.</summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>The WebHook-Allowed-Rate answered to the validation handshake (requests per minute, or <c>*</c>).</summary>
    public string AllowedRate { get; set; } = "*";

    public IReadOnlyList<string> AllSecrets() =>
        [.. new[] { Secret }.Concat(Secrets).Where(secret => !string.IsNullOrWhiteSpace(secret)).Select(secret => secret!)];
}
