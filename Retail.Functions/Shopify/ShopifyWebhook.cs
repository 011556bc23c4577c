using System.Text.Json;
using Microsoft.Extensions.Options;
using Retail.Contracts;
using Retail.Contracts.Orders;
using Retail.Functions.Orders;
using Retail.Functions.Validation;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Shopify;

/// <summary>POST /webhooks/shopify: verifies, dedupes and applies Shopify's order and refund webhooks.</summary>
internal sealed class ShopifyWebhook(
    IOptionsMonitor<WebhookOptions> options, DeliveryGate gate, OrderIntake intake, OrderWebhookCalls orders)
{
    public const string Source = "shopify";
    public const string HmacHeader = "X-Shopify-Hmac-Sha256";
    public const string TopicHeader = "X-Shopify-Topic";
    public const string EventIdHeader = "X-Shopify-Event-Id";
    public const string WebhookIdHeader = "X-Shopify-Webhook-Id";

    public const string OrdersCreate = "orders/create";
    public const string OrdersUpdated = "orders/updated";
    public const string OrdersCancelled = "orders/cancelled";
    public const string RefundsCreate = "refunds/create";

    public async Task<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue.Shopify;
        if (!WebhookSignature.MatchesBase64(request.Body.Span, request.Header(HmacHeader), settings.Secrets))
        {
            return WebhookResult.SignatureInvalid($"{HmacHeader} is not the HMAC-SHA256 of the body under any configured secret.");
        }
        var topic = request.Header(TopicHeader);
        if (topic is not (OrdersCreate or OrdersUpdated or OrdersCancelled or RefundsCreate))
        {
            return WebhookResult.Ignored($"Topic '{topic}' is not handled.");
        }
        var deliveryId = request.Header(EventIdHeader) ?? request.Header(WebhookIdHeader);
        if (deliveryId is null)
        {
            return WebhookResult.Invalid(new Dictionary<string, string[]> { [WebhookIdHeader] = [$"{EventIdHeader} or {WebhookIdHeader} is required."] });
        }
        using var document = JsonInput.TryParse(request.Body, out var error);
        if (document is null)
        {
            return WebhookResult.Malformed(error!);
        }
        try
        {
            return topic == RefundsCreate
                ? await HandleRefundAsync(document.Deserialize<ShopifyRefund>(ShopifyJson.Options), deliveryId, cancellationToken)
                : await HandleOrderAsync(topic, document.Deserialize<ShopifyOrder>(ShopifyJson.Options), deliveryId, settings, cancellationToken);
        }
        catch (JsonException exception)
        {
            return WebhookResult.Malformed(exception.Message);
        }
    }

    private async Task<WebhookResult> HandleOrderAsync(
        string topic, ShopifyOrder? payload, string deliveryId, ShopifyWebhookOptions settings, CancellationToken cancellationToken)
    {
        if (payload is not { Id: > 0 })
        {
            return WebhookResult.Invalid(new Dictionary<string, string[]> { ["id"] = ["The Shopify order id is required."] });
        }
        var order = ShopifyOrderMapper.Map(payload, settings.PickupLocations);
        var errors = CanonicalOrderValidator.Validate(order);
        if (topic != OrdersCancelled && errors.Count > 0)
        {
            return WebhookResult.Invalid(errors, "The Shopify order does not map to a valid canonical order.");
        }
        return await gate.RunAsync(Source, deliveryId, (unknownOrderRaised, _) => topic switch
        {
            OrdersCreate => SubmitAsync(order),
            OrdersUpdated => UpdateAsync(order, unknownOrderRaised),
            _ => CancelAsync(order, payload.CancelReason, unknownOrderRaised),
        }, cancellationToken);
    }

    private async Task<WebhookResult> SubmitAsync(CanonicalOrder order)
    {
        var result = await intake.SubmitAsync(order);
        return WebhookResult.Processed(
            result.Created ? $"Order {result.OrderId} taken in ({result.Status})." : $"Order {result.OrderId} was already taken in.",
            result.OrderId);
    }

    /// <summary>
    /// orders/updated carries the whole order: an order Retail does not have yet (its orders/create is late or lost)
    /// is taken in from it; a known order is given the payment news and decides what it means.
    /// </summary>
    private async Task<WebhookResult> UpdateAsync(CanonicalOrder order, bool unknownOrderRaised)
    {
        var orderId = await intake.FindAsync(order.Channel, order.ChannelOrderId);
        if (orderId is null)
        {
            return await SubmitAsync(order);
        }
        return await orders.ApplyAsync(Source, order.ChannelOrderId, orderId, unknownOrderRaised, async (grain, id) =>
        {
            var payment = order.Payment!;
            var view = await grain.UpdatePaymentAsync(new PaymentUpdate
            {
                Status = payment.Status,
                Provider = payment.Provider,
                Reference = payment.Reference,
                Amount = order.Totals?.GrandTotal,
            });
            return WebhookResult.Processed($"Shopify's payment news '{payment.Status}' given to order {id}; its payment is {view.Payment?.Status}.");
        });
    }

    private async Task<WebhookResult> CancelAsync(CanonicalOrder order, string? reason, bool unknownOrderRaised)
    {
        var orderId = await intake.FindAsync(order.Channel, order.ChannelOrderId);
        return await orders.ApplyAsync(Source, order.ChannelOrderId, orderId, unknownOrderRaised, async (grain, id) =>
        {
            try
            {
                await grain.CancelAsync(new CancelRequest { Reason = $"Cancelled in Shopify ({reason ?? "no reason given"})." });
            }
            catch (RetailException exception) when (exception.Code == ProblemCodes.InvalidTransition)
            {
                return new WebhookResult { Status = WebhookStatuses.NoOp, Outcome = $"Nothing left to cancel on order {id}: {exception.Message}" };
            }
            return WebhookResult.Processed($"Order {id} cancelled.");
        });
    }

    /// <summary>
    /// A Shopify refund: units restocked as <c>cancel</c> were never fulfilled and are cancelled; units restocked as
    /// <c>return</c> came back and are authorised as a return (the ERP settles it when it receives them); every
    /// successful refund transaction confirms money back to the customer.
    /// </summary>
    private async Task<WebhookResult> HandleRefundAsync(ShopifyRefund? refund, string deliveryId, CancellationToken cancellationToken)
    {
        if (refund is not { Id: > 0, OrderId: > 0 })
        {
            return WebhookResult.Invalid(new Dictionary<string, string[]> { ["order_id"] = ["The refund's id and order_id are required."] });
        }
        var channelOrderId = ShopifyOrderMapper.ChannelOrderId(refund.OrderId);
        return await gate.RunAsync(Source, deliveryId, async (unknownOrderRaised, _) =>
        {
            var orderId = await intake.FindAsync(Channels.Shopify, channelOrderId);
            return await orders.ApplyAsync(Source, channelOrderId, orderId, unknownOrderRaised, (grain, id) => ApplyRefundAsync(grain, id, refund));
        }, cancellationToken);
    }

    private static async Task<WebhookResult> ApplyRefundAsync(IOrderGrain grain, string orderId, ShopifyRefund refund)
    {
        var steps = new List<string>();
        var cancelled = LinesRestockedAs(refund, "cancel");
        if (cancelled.Count > 0)
        {
            try
            {
                await grain.CancelAsync(new CancelRequest { Reason = $"Refunded in Shopify (refund {refund.Id}).", Lines = cancelled });
                steps.Add($"cancelled {cancelled.Sum(line => line.Quantity)} unit(s)");
            }
            catch (RetailException exception) when (exception.Code == ProblemCodes.InvalidTransition)
            {
                steps.Add($"nothing left to cancel ({exception.Message})");
            }
        }
        var returned = LinesRestockedAs(refund, "return");
        if (returned.Count > 0)
        {
            var authorized = await grain.AuthorizeReturnAsync(new ReturnRequest
            {
                ReturnId = $"shopify-refund-{refund.Id}",
                Reason = refund.Note ?? $"Returned and refunded in Shopify (refund {refund.Id}).",
                Lines = returned,
            });
            steps.Add($"return {authorized.ReturnId} authorised");
        }
        foreach (var transaction in refund.Transactions.Where(t => t is { Kind: "refund", Status: "success" } && t.Amount > 0))
        {
            await grain.ConfirmRefundAsync(new RefundConfirmation
            {
                ProviderRefundId = $"shopify-{transaction.Id}",
                Amount = transaction.Amount,
                Provider = transaction.Gateway ?? ShopifyOrderMapper.PaymentProvider,
            });
            steps.Add($"refund of {transaction.Amount} confirmed");
        }
        return steps.Count == 0
            ? new WebhookResult { Status = WebhookStatuses.NoOp, Outcome = $"Refund {refund.Id} moved no units and no money." }
            : WebhookResult.Processed($"Refund {refund.Id} on order {orderId}: {string.Join("; ", steps)}.");
    }

    private static List<LineQuantity> LinesRestockedAs(ShopifyRefund refund, string restockType) =>
        refund.RefundLineItems
            .Where(item => item.RestockType == restockType && item.Quantity > 0)
            .GroupBy(item => item.LineItemId)
            .Select(group => new LineQuantity { LineId = ShopifyOrderMapper.LineId(group.Key), Quantity = group.Sum(item => item.Quantity) })
            .ToList();
}
