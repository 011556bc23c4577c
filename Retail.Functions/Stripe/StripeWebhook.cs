using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Retail.Contracts.Orders;
using Retail.Functions.Orders;
using Retail.Functions.Validation;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Stripe;

/// <summary>POST /webhooks/stripe: verifies, dedupes and applies Stripe payment events to their orders.</summary>
internal sealed class StripeWebhook(
    IOptionsMonitor<WebhookOptions> options, TimeProvider time, DeliveryGate gate, OrderIntake intake, OrderWebhookCalls orders)
{
    public const string Source = "stripe";
    public const string PaymentProvider = "stripe";
    public const string OrderIdMetadataKey = "order_id";

    public const string PaymentIntentSucceeded = "payment_intent.succeeded";
    public const string PaymentIntentAmountCapturableUpdated = "payment_intent.amount_capturable_updated";
    public const string PaymentIntentFailed = "payment_intent.payment_failed";
    public const string ChargeRefunded = "charge.refunded";

    public async Task<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue.Stripe;
        var invalid = StripeSignature.Verify(request.Body.Span, request.Header(StripeSignature.HeaderName), settings.Secrets, time.GetUtcNow(), settings.Tolerance);
        if (invalid is not null)
        {
            return WebhookResult.SignatureInvalid(invalid);
        }
        using var document = JsonInput.TryParse(request.Body, out var error);
        if (document is null)
        {
            return WebhookResult.Malformed(error!);
        }
        try
        {
            var stripeEvent = document.Deserialize<StripeEvent>(StripeJson.Options);
            if (stripeEvent is not { Id.Length: > 0, Type.Length: > 0, Data.Object.ValueKind: JsonValueKind.Object })
            {
                return WebhookResult.Invalid(new Dictionary<string, string[]> { ["id"] = ["An event needs id, type and data.object."] });
            }
            return stripeEvent.Type switch
            {
                PaymentIntentSucceeded or PaymentIntentAmountCapturableUpdated or PaymentIntentFailed =>
                    await HandlePaymentIntentAsync(stripeEvent, stripeEvent.Data.Object.Deserialize<StripePaymentIntent>(StripeJson.Options)!, cancellationToken),
                ChargeRefunded =>
                    await HandleRefundAsync(stripeEvent, stripeEvent.Data.Object.Deserialize<StripeCharge>(StripeJson.Options)!, cancellationToken),
                _ => WebhookResult.Ignored($"Event type '{stripeEvent.Type}' is not handled."),
            };
        }
        catch (JsonException exception)
        {
            return WebhookResult.Malformed(exception.Message);
        }
    }

    /// <summary>
    /// payment_intent.succeeded: money received (status <c>succeeded</c>, amount_received &gt; 0) is captured; an intent
    /// still waiting for a manual capture (<c>requires_capture</c>) is authorized. amount_capturable_updated is the
    /// authorization of a manual-capture intent. payment_failed fails the payment.
    /// </summary>
    private Task<WebhookResult> HandlePaymentIntentAsync(StripeEvent stripeEvent, StripePaymentIntent intent, CancellationToken cancellationToken)
    {
        if (intent.Id.Length == 0)
        {
            return Task.FromResult(WebhookResult.Invalid(new Dictionary<string, string[]> { ["data.object.id"] = ["The payment intent id is required."] }));
        }
        var (status, amount) = stripeEvent.Type switch
        {
            PaymentIntentFailed => (PaymentStatuses.Failed, (long?)null),
            _ when intent.Status == "succeeded" && intent.AmountReceived > 0 => (PaymentStatuses.Captured, intent.AmountReceived),
            _ when intent.Status == "requires_capture" => (PaymentStatuses.Authorized, intent.AmountCapturable),
            _ => ((string?)null, (long?)null),
        };
        if (status is null)
        {
            return Task.FromResult(WebhookResult.Ignored($"Payment intent {intent.Id} is {intent.Status}: nothing to record."));
        }
        return gate.RunAsync(Source, stripeEvent.Id, async (unknownOrderRaised, _) =>
        {
            var orderId = await FindOrderAsync(intent.Metadata, intent.Id);
            return await orders.ApplyAsync(Source, intent.Id, orderId, unknownOrderRaised, async (grain, id) =>
            {
                var view = await grain.UpdatePaymentAsync(new PaymentUpdate
                {
                    Status = status,
                    Provider = PaymentProvider,
                    Reference = intent.Id,
                    Amount = amount is { } minor ? StripeAmounts.ToDecimal(minor, intent.Currency) : null,
                    Reason = intent.LastPaymentError is { } failure
                        ? $"{failure.Message} ({failure.DeclineCode ?? failure.Code})"
                        : null,
                });
                return WebhookResult.Processed($"Stripe's news '{status}' ({intent.Id}) given to order {id}; its payment is {view.Payment?.Status}.");
            });
        }, cancellationToken);
    }

    /// <summary>
    /// charge.refunded (also for partial refunds): each succeeded refund in <c>refunds.data</c> confirms its amount under
    /// its <c>re_</c> id. Without the refunds list (newer API versions), the increase of <c>amount_refunded</c> over
    /// <c>previous_attributes.amount_refunded</c> is confirmed under the id <c>{charge id}:{amount_refunded}</c>.
    /// </summary>
    private Task<WebhookResult> HandleRefundAsync(StripeEvent stripeEvent, StripeCharge charge, CancellationToken cancellationToken)
    {
        if (charge.Id.Length == 0)
        {
            return Task.FromResult(WebhookResult.Invalid(new Dictionary<string, string[]> { ["data.object.id"] = ["The charge id is required."] }));
        }
        var confirmations = RefundsOf(stripeEvent, charge);
        if (confirmations.Count == 0)
        {
            return Task.FromResult(WebhookResult.Ignored($"Charge {charge.Id} has no succeeded refund to confirm."));
        }
        var reference = charge.PaymentIntent ?? charge.Id;
        return gate.RunAsync(Source, stripeEvent.Id, async (unknownOrderRaised, _) =>
        {
            var orderId = await FindOrderAsync(charge.Metadata, reference);
            return await orders.ApplyAsync(Source, reference, orderId, unknownOrderRaised, async (grain, id) =>
            {
                foreach (var confirmation in confirmations)
                {
                    await grain.ConfirmRefundAsync(confirmation);
                }
                return WebhookResult.Processed(
                    $"Refund(s) {string.Join(", ", confirmations.Select(c => $"{c.ProviderRefundId} of {c.Amount.ToString(CultureInfo.InvariantCulture)}"))} confirmed on order {id}.");
            });
        }, cancellationToken);
    }

    internal static List<RefundConfirmation> RefundsOf(StripeEvent stripeEvent, StripeCharge charge)
    {
        if (charge.Refunds is { Data.Count: > 0 } refunds)
        {
            return refunds.Data
                .Where(refund => refund is { Status: "succeeded", Amount: > 0 })
                .Select(refund => new RefundConfirmation
                {
                    ProviderRefundId = refund.Id,
                    Amount = StripeAmounts.ToDecimal(refund.Amount, charge.Currency),
                    Provider = PaymentProvider,
                })
                .ToList();
        }
        var previous = stripeEvent.Data?.PreviousAttributes is { ValueKind: JsonValueKind.Object } attributes
            && attributes.TryGetProperty("amount_refunded", out var before) && before.TryGetInt64(out var value) ? value : 0;
        var delta = charge.AmountRefunded - previous;
        return delta <= 0 ? [] :
        [
            new RefundConfirmation
            {
                ProviderRefundId = $"{charge.Id}:{charge.AmountRefunded.ToString(CultureInfo.InvariantCulture)}",
                Amount = StripeAmounts.ToDecimal(delta, charge.Currency),
                Provider = PaymentProvider,
            },
        ];
    }

    private async Task<string?> FindOrderAsync(Dictionary<string, string>? metadata, string paymentReference) =>
        metadata is not null && metadata.TryGetValue(OrderIdMetadataKey, out var orderId) && CanonicalOrderValidator.IsValidId(orderId)
            ? orderId
            : await intake.FindByPaymentAsync(PaymentProvider, paymentReference);
}
