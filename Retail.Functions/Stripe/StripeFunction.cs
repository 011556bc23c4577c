using Microsoft.Azure.Functions.Worker;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Stripe;

/// <summary>POST /webhooks/stripe. Anonymous at the host: the handler verifies the <c>Stripe-Signature</c>.</summary>
internal sealed class StripeFunction(StripeWebhook stripe)
{
    public const string Name = "StripeWebhook";

    [Function(Name)]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/stripe")] HttpRequest request) =>
        WebhookEndpoint.HandleAsync(request.HttpContext, stripe.HandleAsync);
}
