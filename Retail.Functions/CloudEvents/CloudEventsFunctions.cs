using Microsoft.Azure.Functions.Worker;
using Retail.Functions.Webhooks;

namespace Retail.Functions.CloudEvents;

/// <summary>
/// POST and OPTIONS /webhooks/events/{source}: deliveries and the CloudEvents webhook validation handshake.
/// Anonymous at the host: a delivery is verified against its source's secret.
/// </summary>
internal sealed class CloudEventsFunctions(CloudEventsWebhook events)
{
    public const string DeliveryName = "CloudEventsWebhook";
    public const string ValidationName = "CloudEventsWebhookValidation";
    private const string Route = "webhooks/events/{source}";

    [Function(DeliveryName)]
    public Task<IResult> DeliverAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Route)] HttpRequest request, string source) =>
        WebhookEndpoint.HandleAsync(request.HttpContext, (webhook, cancellationToken) => events.HandleAsync(source, webhook, cancellationToken));

    [Function(ValidationName)]
    public Task<IResult> ValidateAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "options", Route = Route)] HttpRequest request, string source) =>
        WebhookEndpoint.HandleAsync(request.HttpContext, (webhook, _) => Task.FromResult(events.Validate(source, webhook)));
}
