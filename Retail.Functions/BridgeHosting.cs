using Microsoft.Extensions.DependencyInjection.Extensions;
using Retail.Functions.CloudEvents;
using Retail.Functions.Erp;
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
/// <see cref="MapRetailBridge"/> maps the webhooks under <c>/webhooks</c>. Both need an Orleans client or silo
/// (<c>IGrainFactory</c>): call <see cref="AddRetailBridge"/> after <c>AddRetailOrleans</c>, which in embedded mode also
/// registers the message transport that the ERP consumer then shares.
/// </summary>
public static class BridgeHosting
{
    public const string RoutePrefix = "/webhooks";

    public static IHostApplicationBuilder AddRetailBridge(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection(WebhookOptions.SectionName));
        services.AddOptions<ErpInboundOptions>().Bind(builder.Configuration.GetSection(ErpInboundOptions.SectionName));
        services.TryAddSingleton<SchemaValidator>();
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
    /// POST /webhooks/shopify, POST /webhooks/stripe, POST and OPTIONS /webhooks/events/{source}. Anonymous by design:
    /// each verifies its sender's HMAC signature.
    /// </summary>
    public static IEndpointRouteBuilder MapRetailBridge(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var webhooks = endpoints.MapGroup(RoutePrefix).WithTags("Webhooks").AllowAnonymous();
        webhooks.MapPost("/shopify", (HttpContext context, ShopifyWebhook shopify) => WebhookEndpoint.HandleAsync(context, shopify.HandleAsync))
            .WithName("ShopifyWebhook");
        webhooks.MapPost("/stripe", (HttpContext context, StripeWebhook stripe) => WebhookEndpoint.HandleAsync(context, stripe.HandleAsync))
            .WithName("StripeWebhook");
        webhooks.MapPost("/events/{source}", (HttpContext context, string source, CloudEventsWebhook events) =>
                WebhookEndpoint.HandleAsync(context, (request, cancellationToken) => events.HandleAsync(source, request, cancellationToken)))
            .WithName("CloudEventsWebhook");
        webhooks.MapMethods("/events/{source}", [HttpMethods.Options], (HttpContext context, string source, CloudEventsWebhook events) =>
                WebhookEndpoint.HandleAsync(context, (request, _) => Task.FromResult(events.Validate(source, request))))
            .WithName("CloudEventsWebhookValidation");
        return endpoints;
    }
}
