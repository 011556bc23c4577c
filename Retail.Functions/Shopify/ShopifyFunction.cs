using Microsoft.Azure.Functions.Worker;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Shopify;

/// <summary>POST /webhooks/shopify. Anonymous at the host: the handler verifies Shopify's HMAC.</summary>
internal sealed class ShopifyFunction(ShopifyWebhook shopify)
{
    public const string Name = "ShopifyWebhook";

    [Function(Name)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/shopify")] HttpRequest request) =>
        WebhookEndpoint.HandleAsync(request.HttpContext, shopify.HandleAsync);
}
