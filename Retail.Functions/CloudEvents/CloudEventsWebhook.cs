using System.Text.Json;
using Microsoft.Extensions.Options;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Orders;
using Retail.Contracts.Schemas;
using Retail.Functions.Orders;
using Retail.Functions.Validation;
using Retail.Functions.Webhooks;

namespace Retail.Functions.CloudEvents;

/// <summary>
/// POST and OPTIONS /webhooks/events/{source}: CloudEvents from POS, marketplace and WMS sources, each signed with
/// its source's secret (<c>X-Signature: sha256={hex HMAC of the raw body}</c>).
/// </summary>
internal sealed class CloudEventsWebhook(
    IOptionsMonitor<WebhookOptions> options, SchemaValidator schemas, DeliveryGate gate, OrderIntake intake, OrderWebhookCalls orders)
{
    public const string SignatureHeader = "X-Signature";
    public const string SignaturePrefix = "sha256=";

    public const string PosSale = "retail.pos.sale";
    public const string MarketplaceOrder = "retail.marketplace.order";
    public const string WmsShipment = "retail.wms.shipment";

    /// <summary>
    /// The CloudEvents HTTP webhook validation handshake: a configured source answers 200 with
    /// <c>WebHook-Allowed-Origin</c> (the requesting origin) and <c>WebHook-Allowed-Rate</c>.
    /// </summary>
    public WebhookResult Validate(string source, WebhookRequest request)
    {
        if (!options.CurrentValue.Sources.TryGetValue(source, out var settings) || settings.AllSecrets().Count == 0)
        {
            return WebhookResult.Problem(404, WebhookProblemCodes.UnknownSource, "No such event source.", $"Source '{source}' is not configured.");
        }
        var origin = request.Header("WebHook-Request-Origin");
        if (origin is null)
        {
            return WebhookResult.Invalid(new Dictionary<string, string[]> { ["WebHook-Request-Origin"] = ["Is required for the validation handshake."] });
        }
        return new WebhookResult
        {
            Status = WebhookStatuses.Processed,
            Outcome = $"Origin {origin} may deliver to {source}.",
            Final = false,
            Headers = new Dictionary<string, string>
            {
                ["WebHook-Allowed-Origin"] = origin,
                ["WebHook-Allowed-Rate"] = settings.AllowedRate,
                ["Allow"] = "POST, OPTIONS",
            },
        };
    }

    public async Task<WebhookResult> HandleAsync(string source, WebhookRequest request, CancellationToken cancellationToken)
    {
        var signature = request.Header(SignatureHeader);
        var hex = signature is not null && signature.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase) ? signature[SignaturePrefix.Length..] : null;
        // An unknown source has no secret, so it fails here like a bad signature and reveals nothing.
        if (!WebhookSignature.MatchesHex(request.Body.Span, hex, options.CurrentValue.SecretsOf(source)))
        {
            return WebhookResult.SignatureInvalid($"{SignatureHeader} is not sha256=<hex HMAC-SHA256 of the body> under the secret of source '{source}'.");
        }
        var cloudEvent = IncomingCloudEvent.Read(request, out var problem);
        if (cloudEvent is null)
        {
            return problem!;
        }
        if (cloudEvent.Type is not (PosSale or MarketplaceOrder or WmsShipment))
        {
            return WebhookResult.Ignored($"Event type '{cloudEvent.Type}' is not handled.");
        }
        var data = (JsonElement)cloudEvent.Data!;
        var errors = await schemas.ValidateAsync(SchemaCatalog.ForEventData(cloudEvent.Type), data.GetRawText());
        if (errors.Count > 0)
        {
            return WebhookResult.Invalid(errors, $"The data of {cloudEvent.Type} does not match its schema.");
        }
        var dedupeSource = $"events/{source}";
        var deliveryId = $"{cloudEvent.Source!.OriginalString}#{cloudEvent.Id}";
        try
        {
            switch (cloudEvent.Type)
            {
                case PosSale:
                    var sale = data.Deserialize<PosSale>(RetailJson.Options)!;
                    return await IntakeAsync(dedupeSource, deliveryId, sale.ToOrder(), sale, cancellationToken);
                case MarketplaceOrder:
                    var order = data.Deserialize<CanonicalOrder>(RetailJson.Options)! with { Channel = Channels.Marketplace };
                    return await IntakeAsync(dedupeSource, deliveryId, order, null, cancellationToken);
                default:
                    var shipment = data.Deserialize<ShipmentConfirmed>(RetailJson.Options)!;
                    return await gate.RunAsync(dedupeSource, deliveryId, (retried, _) =>
                        orders.ApplyAsync(dedupeSource, shipment.OrderId, shipment.OrderId, retried, async (grain, id) =>
                        {
                            await grain.ConfirmShipmentAsync(shipment);
                            return WebhookResult.Processed($"Shipment {shipment.ShipmentId} of order {id} confirmed.");
                        }), cancellationToken);
            }
        }
        catch (JsonException exception)
        {
            return WebhookResult.Malformed(exception.Message);
        }
    }

    private async Task<WebhookResult> IntakeAsync(string dedupeSource, string deliveryId, CanonicalOrder order, PosSale? sale, CancellationToken cancellationToken)
    {
        var errors = CanonicalOrderValidator.Validate(order);
        if (errors.Count > 0)
        {
            return WebhookResult.Invalid(errors, "The event does not map to a valid canonical order.");
        }
        return await gate.RunAsync(dedupeSource, deliveryId, async (retried, _) =>
        {
            var result = await intake.SubmitAsync(order);
            var taken = result.Created ? $"Order {result.OrderId} taken in ({result.Status})" : $"Order {result.OrderId} was already taken in";
            if (sale is null)
            {
                return WebhookResult.Processed($"{taken}.", result.OrderId);
            }
            // The customer left the store with the goods: the shipment is confirmed at once so stock leaves onHand.
            return await orders.ApplyAsync(dedupeSource, sale.SaleId, result.OrderId, retried, async (grain, id) =>
            {
                await grain.ConfirmShipmentAsync(sale.ToShipment(id));
                return WebhookResult.Processed($"{taken}; handed over at store {sale.StoreId}.", id);
            });
        }, cancellationToken);
    }
}
