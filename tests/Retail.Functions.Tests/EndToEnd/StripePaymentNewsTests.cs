using System.Net;
using System.Text;
using Orleans.Core.Internal;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Integration;
using Retail.Contracts.Orders;
using Retail.Functions.Stripe;
using Retail.Functions.Tests.Stripe;
using Retail.Functions.Tests.Webhooks;

namespace Retail.Functions.Tests.EndToEnd;

/// <summary>Stripe's payment news through the bridge to real order grains, which alone decide what it means.</summary>
[Collection(EmbeddedBridgeCollection.Name)]
public sealed class StripePaymentNewsTests(EmbeddedBridge bridge)
{
    private const string SucceededEvent = "evt_3QKx9HLkdIwHu7ix0mQ2bC3d";
    private const string SucceededIntent = "pi_3QKx9HLkdIwHu7ix0Yb8dTq1";
    private const string FailedEvent = "evt_3QKxAaLkdIwHu7ix1Rr4Ss5t";
    private const string FailedIntent = "pi_3QKxAaLkdIwHu7ix1Kk2Ll3m";
    private readonly OrderWorld world = new(bridge);

    [Fact]
    public async Task PaymentFailedThenSucceeded_OnTheOrderTheFailureCancelled_RequestsARefundAndRaisesAnException()
    {
        var (orderId, intent) = await PendingOrderAsync();
        using (var failed = await PostAsync("payment_intent.payment_failed.json", new() { [FailedEvent] = NewEventId(), [FailedIntent] = intent }))
        {
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }
        await world.StatusAsync(orderId, OrderStatus.Cancelled);

        using var succeeded = await PostAsync("payment_intent.succeeded.json", new()
        {
            [SucceededEvent] = NewEventId(),
            [SucceededIntent] = intent,
            ["ord-web-10001"] = orderId,
            ["4818"] = "2500",
        });

        Assert.Equal(HttpStatusCode.OK, succeeded.StatusCode);
        var view = await world.ViewAsync(orderId);
        Assert.Equal((OrderStatus.Cancelled, PaymentStatuses.Captured), (view.Status, view.Payment!.Status));
        var refund = Assert.Single(view.Refunds);
        Assert.Equal((25.00m, RefundStatus.Pending), (refund.Amount, refund.Status));
        await world.ExceptionAsync(ExceptionKinds.PaymentAfterCancellation, orderId);
    }

    [Fact]
    public async Task PaymentSucceeded_BeforeItsOrder_ResolvesTheUnknownOrderWhenARetryAppliesItAfterTheDedupeRecordWasDeactivated()
    {
        var orderId = OrderWorld.Unique("ord").ToLowerInvariant();
        var intent = $"pi_{Guid.NewGuid():N}";
        var eventId = NewEventId();
        var replacements = new Dictionary<string, string> { [SucceededEvent] = eventId, [SucceededIntent] = intent, ["ord-web-10001"] = orderId, ["4818"] = "2500" };
        using (var early = await PostAsync("payment_intent.succeeded.json", replacements))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        }
        var unknown = await world.ExceptionAsync(ExceptionKinds.UnknownOrder, $"{StripeWebhook.Source}/{intent}");
        await DeactivateAsync(bridge.Grains.GetGrain<IInboundDedupeGrain>(InboundDedupeKey.For(StripeWebhook.Source, eventId)));
        await SubmitPendingAsync(orderId, intent);

        using var retried = await PostAsync("payment_intent.succeeded.json", replacements);

        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(PaymentStatuses.Captured, (await world.ViewAsync(orderId)).Payment!.Status);
        var records = bridge.Grains.GetGrain<IExceptionGrain>(ExceptionKey.For($"{StripeWebhook.Source}/{intent}"));
        await EmbeddedBridge.EventuallyAsync(async () => (await records.GetAsync(unknown.Id))!.Status == ExceptionStatus.Resolved,
            "the unknown-order record to be resolved");
    }

    private async Task<(string OrderId, string Intent)> PendingOrderAsync()
    {
        var orderId = OrderWorld.Unique("ord").ToLowerInvariant();
        var intent = $"pi_{Guid.NewGuid():N}";
        await SubmitPendingAsync(orderId, intent);
        await world.StatusAsync(orderId, OrderStatus.Reserved);
        return (orderId, intent);
    }

    private async Task SubmitPendingAsync(string orderId, string intent)
    {
        var sku = OrderWorld.Unique("SKU");
        await world.WarehouseAsync(10, sku);
        await world.Order(orderId).SubmitAsync(new CanonicalOrder
        {
            OrderId = orderId,
            Channel = Channels.Web,
            ChannelOrderId = orderId,
            PlacedAt = DateTimeOffset.UtcNow,
            Currency = "USD",
            Customer = new Customer { CustomerId = "c-1", Email = "ada@example.com", Name = "Ada Lovelace" },
            ShipTo = new Address { Name = "Ada Lovelace", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
            Fulfillment = new Fulfillment { Method = FulfillmentMethods.Ship },
            Lines = [new OrderLine { LineId = "1", Sku = sku, Quantity = 1, UnitPrice = 20.00m }],
            Totals = new Totals { Subtotal = 20.00m, Shipping = 5.00m, GrandTotal = 25.00m },
            Payment = new Payment { Provider = StripeWebhook.PaymentProvider, Reference = intent, Status = PaymentStatuses.Pending },
        });
    }

    private async Task DeactivateAsync(IAddressable grain)
    {
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var management = bridge.Grains.GetGrain<IManagementGrain>(0);
        await EmbeddedBridge.EventuallyAsync(async () => await management.GetGrainActivationCount((GrainReference)grain) == 0, "the dedupe record to deactivate");
    }

    private Task<HttpResponseMessage> PostAsync(string sample, Dictionary<string, string> replacements)
    {
        var text = Samples.Read("Stripe", sample);
        foreach (var (from, to) in replacements)
        {
            text = text.Replace(from, to, StringComparison.Ordinal);
        }
        var body = Encoding.UTF8.GetBytes(text);
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("Stripe-Signature", StripeSigning.Header(body, BridgeHost.StripeSecret, DateTimeOffset.UtcNow));
        return bridge.Client.SendAsync(request);
    }

    private static string NewEventId() => $"evt_{Guid.NewGuid():N}";
}
