using Retail.Functions;
using Retail.Silo;

namespace Retail.Api;

/// <summary>
/// Embedded mode (<c>Retail:Embedded=true</c>) runs the whole application in one process: the silo
/// (<c>AddRetailOrleans</c>), the API, and the integration bridge's webhooks under <c>/webhooks</c> with its ERP consumer.
/// Otherwise the bridge runs in its own process (Retail.Functions) and these calls do nothing.
/// </summary>
public static class EmbeddedBridge
{
    /// <summary>The bridge's services, when embedded; call after <c>AddRetailOrleans</c>.</summary>
    public static IHostApplicationBuilder AddRetailBridgeWhenEmbedded(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return RetailOrleansHosting.IsEmbedded(builder.Configuration) ? builder.AddRetailBridge() : builder;
    }

    /// <summary>
    /// The bridge's webhooks, when embedded. They keep the bridge's own rules: anonymous (each verifies its sender's
    /// signature), the bridge's 1 MiB body limit (the API's limit applies to /api only), and they stay out of the API's
    /// OpenAPI document, which is the same in every mode.
    /// </summary>
    public static WebApplication MapRetailBridgeWhenEmbedded(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (RetailOrleansHosting.IsEmbedded(app.Configuration))
        {
            var bridge = app.MapGroup("");
            bridge.MapRetailBridge();
            bridge.ExcludeFromDescription();
        }
        return app;
    }
}
