using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Newtonsoft.Json.Linq;
using Retail.Contracts.Orders;
using Retail.Functions.Orders;
using Retail.Functions.Validation;
using Retail.Functions.Webhooks;
using Stripe;

namespace Retail.Functions.Stripe;

/// <summary>
/// POST /webhooks/stripe: verifies the <c>Stripe-Signature</c> and parses the event with Stripe.net
/// (<see cref="EventUtility"/>), dedupes it and applies the payment news to its order.
/// </summary>
internal sealed class StripeWebhook(
    IOptionsMonitor<WebhookOptions> options, TimeProvider time, DeliveryGate gate, OrderIntake intake, OrderWebhookCalls orders)
{
    public const string Source = "stripe";
    public const string PaymentProvider = "stripe";
    public const string OrderIdMetadataKey = "order_id";
    public const string SignatureHeader = "Stripe-Signature";

    public const string PaymentIntentSucceeded = "payment_intent.succeeded";
    public const string PaymentIntentAmountCapturableUpdated = "payment_intent.amount_capturable_updated";
    public const string PaymentIntentFailed = "payment_intent.payment_failed";
    public const string ChargeRefunded = "charge.refunded";

    public async Task<WebhookResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue.Stripe;
        var json = Encoding.UTF8.GetString(request.Body.Span);
        var invalid = VerifySignature(json, request.Header(SignatureHeader), settings.Secrets, time.GetUtcNow(), settings.Tolerance);
        if (invalid is not null)
        {
            return WebhookResult.SignatureInvalid(invalid);
        }
        using (var document = JsonInput.TryParse(request.Body, out var error))
        {
            if (document is null)
            {
                return WebhookResult.Malformed(error!);
            }
        }
        Event stripeEvent;
        try
        {
            // Stripe sends each endpoint's events in the API version the endpoint was created with; they are taken as
            // they come rather than refused for differing from the version this library was built against.
            stripeEvent = EventUtility.ParseEvent(json, throwOnApiVersionMismatch: false);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or Newtonsoft.Json.JsonException or StripeException)
        {
            return WebhookResult.Malformed(exception.Message);
        }
        if (stripeEvent is not { Id.Length: > 0, Type.Length: > 0, Data.RawObject: not null })
        {
            return WebhookResult.Invalid(new Dictionary<string, string[]> { ["id"] = ["An event needs id, type and data.object."] });
        }
        return stripeEvent.Type switch
        {
            PaymentIntentSucceeded or PaymentIntentAmountCapturableUpdated or PaymentIntentFailed => stripeEvent.Data.Object is PaymentIntent intent
                ? await HandlePaymentIntentAsync(stripeEvent, intent, cancellationToken)
                : NotA("payment intent"),
            ChargeRefunded => stripeEvent.Data.Object is Charge charge
                ? await HandleRefundAsync(stripeEvent, charge, cancellationToken)
                : NotA("charge"),
            _ => WebhookResult.Ignored($"Event type '{stripeEvent.Type}' is not handled."),
        };
    }

    /// <summary>
    /// Null when some v1 signature of <paramref name="header"/> is valid under one of <paramref name="secrets"/> and its
    /// timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>; otherwise why not. Every secret is
    /// tried, so timing does not tell which matched.
    /// </summary>
    internal static string? VerifySignature(string json, string? header, IReadOnlyList<string> secrets, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return $"{SignatureHeader} is missing.";
        }
        var matched = false;
        var failure = "No endpoint secret is configured.";
        foreach (var secret in secrets)
        {
            try
            {
                EventUtility.ValidateSignature(json, header, secret, (long)tolerance.TotalSeconds, now.ToUnixTimeSeconds());
                matched = true;
            }
            catch (Exception exception) when (exception is StripeException or FormatException or OverflowException)
            {
                failure = exception.Message;
            }
        }
        return matched ? null : failure;
    }

    /// <summary>
    /// payment_intent.succeeded: money received (status <c>succeeded</c>, amount_received &gt; 0) is captured; an intent
    /// still waiting for a manual capture (<c>requires_capture</c>) is authorized. amount_capturable_updated is the
    /// authorization of a manual-capture intent. payment_failed fails the payment.
    /// </summary>
    private Task<WebhookResult> HandlePaymentIntentAsync(Event stripeEvent, PaymentIntent intent, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(intent.Id))
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
        return gate.RunAsync(Source, stripeEvent.Id, async (retried, _) =>
        {
            var orderId = await FindOrderAsync(intent.Metadata, intent.Id);
            return await orders.ApplyAsync(Source, intent.Id, orderId, retried, async (grain, id) =>
            {
                var current = (await grain.GetAsync())?.Payment?.Status;
                if (current is not null && !PaymentProgress.Advances(current, status))
                {
                    return new WebhookResult { Status = WebhookStatuses.NoOp, Outcome = $"Payment of order {id} stays {current} (Stripe says {status})." };
                }
                await grain.UpdatePaymentAsync(new PaymentUpdate
                {
                    Status = status,
                    Provider = PaymentProvider,
                    Reference = intent.Id,
                    Amount = amount is { } minor ? StripeAmounts.ToDecimal(minor, intent.Currency ?? "") : null,
                    Reason = intent.LastPaymentError is { } failure
                        ? $"{failure.Message} ({failure.DeclineCode ?? failure.Code})"
                        : null,
                });
                return WebhookResult.Processed($"Payment of order {id} is now {status} ({intent.Id}).");
            });
        }, cancellationToken);
    }

    /// <summary>
    /// charge.refunded (also for partial refunds): each succeeded refund in <c>refunds.data</c> confirms its amount under
    /// its <c>re_</c> id. Without the refunds list (newer API versions), the increase of <c>amount_refunded</c> over
    /// <c>previous_attributes.amount_refunded</c> is confirmed under the id <c>{charge id}:{amount_refunded}</c>.
    /// </summary>
    private Task<WebhookResult> HandleRefundAsync(Event stripeEvent, Charge charge, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(charge.Id))
        {
            return Task.FromResult(WebhookResult.Invalid(new Dictionary<string, string[]> { ["data.object.id"] = ["The charge id is required."] }));
        }
        var confirmations = RefundsOf(stripeEvent, charge);
        if (confirmations.Count == 0)
        {
            return Task.FromResult(WebhookResult.Ignored($"Charge {charge.Id} has no succeeded refund to confirm."));
        }
        var reference = charge.PaymentIntentId ?? charge.Id;
        return gate.RunAsync(Source, stripeEvent.Id, async (retried, _) =>
        {
            var orderId = await FindOrderAsync(charge.Metadata, reference);
            return await orders.ApplyAsync(Source, reference, orderId, retried, async (grain, id) =>
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

    internal static List<RefundConfirmation> RefundsOf(Event stripeEvent, Charge charge)
    {
        var currency = charge.Currency ?? "";
        if (charge.Refunds?.Data is { Count: > 0 } refunds)
        {
            return refunds
                .Where(refund => refund is { Status: "succeeded", Amount: > 0 })
                .Select(refund => new RefundConfirmation
                {
                    ProviderRefundId = refund.Id,
                    Amount = StripeAmounts.ToDecimal(refund.Amount, currency),
                    Provider = PaymentProvider,
                })
                .ToList();
        }
        var previous = (object?)stripeEvent.Data.PreviousAttributes is JObject attributes
            && attributes["amount_refunded"] is { Type: JTokenType.Integer } before ? before.Value<long>() : 0;
        var delta = charge.AmountRefunded - previous;
        return delta <= 0 ? [] :
        [
            new RefundConfirmation
            {
                ProviderRefundId = $"{charge.Id}:{charge.AmountRefunded.ToString(CultureInfo.InvariantCulture)}",
                Amount = StripeAmounts.ToDecimal(delta, currency),
                Provider = PaymentProvider,
            },
        ];
    }

    private static WebhookResult NotA(string what) =>
        WebhookResult.Invalid(new Dictionary<string, string[]> { ["data.object"] = [$"Must be a {what} for this event type."] });

    private async Task<string?> FindOrderAsync(Dictionary<string, string>? metadata, string paymentReference) =>
        metadata is not null && metadata.TryGetValue(OrderIdMetadataKey, out var orderId) && CanonicalOrderValidator.IsValidId(orderId)
            ? orderId
            : await intake.FindByPaymentAsync(PaymentProvider, paymentReference);
}
