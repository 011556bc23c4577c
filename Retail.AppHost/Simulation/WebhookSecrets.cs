namespace Retail.AppHost.Simulation;

/// <summary>
/// The webhook secrets the services run with: those given to the AppHost as environment variables, else fixed
/// development values (printed nowhere secret: they only protect a laptop's loopback).
/// </summary>
internal sealed record WebhookSecrets(string Shopify, string Stripe, IReadOnlyDictionary<string, string> Sources)
{
    public static readonly IReadOnlyList<string> SourceNames = ["pos", "marketplace", "wms"];

    public static WebhookSecrets FromEnvironmentOrDevelopment() => new(
        System.Environment.GetEnvironmentVariable("Webhooks__Shopify__Secrets__0") ?? "development-shopify-secret",
        System.Environment.GetEnvironmentVariable("Webhooks__Stripe__Secrets__0") ?? "whsec_development",
        SourceNames.ToDictionary(source => source, source => System.Environment.GetEnvironmentVariable($"Webhooks__Sources__{source}__Secret") ?? $"development-{source}-secret"));

    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Webhooks__Shopify__Secrets__0"] = Shopify,
                ["Webhooks__Stripe__Secrets__0"] = Stripe,
            };
            foreach (var (source, secret) in Sources)
            {
                environment[$"Webhooks__Sources__{source}__Secret"] = secret;
            }
            return environment;
        }
    }
}
