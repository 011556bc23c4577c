using Microsoft.Extensions.DependencyInjection.Extensions;
using Retail.Functions.CloudEvents;
using Retail.Functions.Dedupe;
using Retail.Functions.Erp;
using Retail.Functions.Hosting;
using Retail.Functions.Orders;
using Retail.Functions.Shopify;
using Retail.Functions.Stripe;
using Retail.Functions.Validation;
using Retail.Functions.Webhooks;
using Retail.Messaging;

namespace Retail.Functions;

/// <summary>
/// The integration bridge as two calls, so that it runs in its own process (Program.cs) or inside the API's process
/// (embedded mode): <see cref="AddRetailBridge"/> registers the handlers, options and the ERP consumer;
/// <see cref="MapRetailBridge"/> maps the webhook functions at their routes under <c>/webhooks</c>. Both need an Orleans client or silo
/// (<c>IGrainFactory</c>): call <see cref="AddRetailBridge"/> after <c>AddRetailOrleans</c>, which in embedded mode also
/// registers the message transport that the ERP consumer then shares.
/// </summary>
public static class BridgeHosting
{
    public static IHostApplicationBuilder AddRetailBridge(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        KeyVaultSecrets.AddTo(builder.Configuration);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection(WebhookOptions.SectionName));
        services.AddOptions<ErpInboundOptions>().Bind(builder.Configuration.GetSection(ErpInboundOptions.SectionName));
        services.TryAddSingleton<SchemaValidator>();
        services.TryAddSingleton<DedupeLeases>();
        services.TryAddSingleton<DeliveryGate>();
        services.TryAddSingleton<UnknownOrders>();
        services.TryAddSingleton<OrderIntake>();
        services.TryAddSingleton<OrderWebhookCalls>();
        services.TryAddSingleton<ShopifyWebhook>();
        services.TryAddSingleton<StripeWebhook>();
        services.TryAddSingleton<CloudEventsWebhook>();
        services.TryAddSingleton<ErpInboundHandler>();
        if (!services.Any(service => service.ServiceType == typeof(IMessageProcessorFactory)))
        {
            // A silo in this process (embedded mode) registered the transport already; a client process adds it here.
            builder.AddRetailMessaging();
        }
        services.AddHostedService<ErpInboundConsumer>();
        return builder;
    }

    /// <summary>
    /// The webhook functions (POST /webhooks/shopify, POST /webhooks/stripe, POST and OPTIONS /webhooks/events/{source})
    /// served by ASP.NET Core at the routes of their HTTP triggers. Anonymous by design: each verifies its sender's
    /// HMAC signature.
    /// </summary>
    public static IEndpointRouteBuilder MapRetailBridge(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var webhooks = endpoints.MapGroup("").WithTags("Webhooks").AllowAnonymous();
        webhooks.MapHttpFunctions(FunctionRoutes.Discover(typeof(BridgeHosting).Assembly));
        return endpoints;
    }
}
