namespace Retail.Tools.Simulation;

/// <summary>The webhook secrets the services run with (the AppHost passes them as <c>Webhooks:*</c>), else the development values.</summary>
internal sealed record WebhookSecrets(string Shopify, string Stripe, IReadOnlyDictionary<string, string> Sources)
{
    public static readonly IReadOnlyList<string> SourceNames = ["pos", "marketplace", "wms"];

    public static WebhookSecrets From(IConfiguration configuration) => new(
        configuration["Webhooks:Shopify:Secrets:0"] ?? "development-shopify-secret",
        configuration["Webhooks:Stripe:Secrets:0"] ?? "whsec_development",
        SourceNames.ToDictionary(source => source, source => configuration[$"Webhooks:Sources:{source}:Secret"] ?? $"development-{source}-secret"));
}
