using System.Globalization;
using System.Net;
using System.Text;
using Retail.Contracts.Erp;
using Retail.Contracts.Orders;
using Retail.Functions.Tests.Stripe;
using Retail.Functions.Tests.Webhooks;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Tests.EndToEnd;

/// <summary>Signed Shopify and Stripe deliveries through the bridge to real order and inventory grains.</summary>
[Collection(EmbeddedBridgeCollection.Name)]
public sealed class WebhooksToGrainsTests(EmbeddedBridge bridge)
{
    private const string SampleShopifyId = "5923418800312";
    private const string SamplePaymentIntent = "pi_3QKx9HLkdIwHu7ix0Yb8dTq1";
    private readonly OrderWorld world = new(bridge);

    /// <summary>The Shopify sample as a new order: its own id and SKUs, the given financial status.</summary>
    private sealed record ShopifyOrder(string ShopifyId, string Socks, string Jacket, byte[] Body);

    private static ShopifyOrder NewShopifyOrder(string financialStatus)
    {
        var shopifyId = (5_000_000_000_000L + Random.Shared.NextInt64(999_999_999_999L)).ToString(CultureInfo.InvariantCulture);
        var socks = OrderWorld.Unique("SOCK");
        var jacket = OrderWorld.Unique("JKT");
        var body = Samples.Read("Shopify", "orders-create.json")
            .Replace(SampleShopifyId, shopifyId, StringComparison.Ordinal)
            .Replace("SOCK-TRL-CHR-M", socks, StringComparison.Ordinal)
            .Replace("JKT-RAIN-NVY-L", jacket, StringComparison.Ordinal)
            .Replace("\"financial_status\": \"paid\"", $"\"financial_status\": \"{financialStatus}\"", StringComparison.Ordinal);
        return new ShopifyOrder(shopifyId, socks, jacket, Encoding.UTF8.GetBytes(body));
    }

    private Task<HttpResponseMessage> PostShopifyAsync(byte[] body, string eventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Shop-Domain", "retail-demo.myshopify.com");
        request.Headers.Add("X-Shopify-Webhook-Id", $"wh-{Guid.NewGuid():N}");
        request.Headers.Add("X-Shopify-Event-Id", eventId);
        request.Headers.Add("X-Shopify-Hmac-Sha256", WebhookSignature.ComputeBase64(body, BridgeHost.ShopifyNewSecret));
        return bridge.Client.SendAsync(request);
    }

    private Task<HttpResponseMessage> PostStripeAsync(string sample, IReadOnlyDictionary<string, string> replacements)
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

    private async Task<string> OrderIdAsync(string shopifyId)
    {
        string? orderId = null;
        await EmbeddedBridge.EventuallyAsync(async () =>
        {
            orderId = await world.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(Channels.Shopify, shopifyId)).LookupAsync();
            return orderId is not null;
        }, $"Shopify order {shopifyId} to be indexed");
        return orderId!;
    }

    [Fact]
    public async Task ShopifyOrdersCreate_Signed_CreatesTheOrderWithItsLinesAndReservations()
    {
        var order = NewShopifyOrder("pending");
        var locationId = await world.WarehouseAsync(10, order.Socks, order.Jacket);

        using var response = await PostShopifyAsync(order.Body, $"evt-{Guid.NewGuid():N}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await world.StatusAsync(await OrderIdAsync(order.ShopifyId), OrderStatus.Reserved);
        Assert.Equal(Channels.Shopify, view.Channel);
        Assert.Equal(order.ShopifyId, view.ChannelOrderId);
        Assert.Equal([(order.Socks, 2), (order.Jacket, 1)], view.Lines.Select(l => (l.Sku, l.Ordered)));
        Assert.All(view.Lines, line => Assert.Equal(line.Ordered, line.Reserved));
        Assert.Equal(2, (await world.Inventory(order.Socks, locationId).GetAsync()).Reserved);
        Assert.Equal(1, (await world.Inventory(order.Jacket, locationId).GetAsync()).Reserved);
    }

    [Fact]
    public async Task ShopifyOrdersCreate_DeliveredFiveTimesAtOnce_MakesOneOrderWithOneSetOfReservations()
    {
        var order = NewShopifyOrder("paid");
        var locationId = await world.WarehouseAsync(10, order.Socks, order.Jacket);
        var eventId = $"evt-{Guid.NewGuid():N}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => PostShopifyAsync(order.Body, eventId)));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        var orderId = await OrderIdAsync(order.ShopifyId);
        var view = await world.StatusAsync(orderId, OrderStatus.Released);
        Assert.Equal([2, 1], view.Lines.Select(l => l.Reserved));
        Assert.Equal(2, (await world.Inventory(order.Socks, locationId).GetAsync()).Reserved);
        Assert.Equal(1, (await world.Inventory(order.Jacket, locationId).GetAsync()).Reserved);
        Assert.Single(bridge.Broker.Peek(Entities.ErpOutbound), message => message.SessionId == orderId);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task StripePaymentIntentSucceeded_CapturesThePaymentReleasesTheOrderAndPostsItToTheErp()
    {
        var order = NewShopifyOrder("pending");
        await world.WarehouseAsync(10, order.Socks, order.Jacket);
        using (var created = await PostShopifyAsync(order.Body, $"evt-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }
        var orderId = await OrderIdAsync(order.ShopifyId);
        await world.StatusAsync(orderId, OrderStatus.Reserved);
        var paymentIntent = $"pi_{Guid.NewGuid():N}";

        using var response = await PostStripeAsync("payment_intent.succeeded.json", new Dictionary<string, string>
        {
            ["evt_3QKx9HLkdIwHu7ix0mQ2bC3d"] = $"evt_{Guid.NewGuid():N}",
            [SamplePaymentIntent] = paymentIntent,
            ["ord-web-10001"] = orderId,
            ["4818"] = "12063",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await world.StatusAsync(orderId, OrderStatus.Released);
        Assert.Equal(PaymentStatuses.Captured, view.Payment!.Status);
        Assert.Equal(paymentIntent, view.Payment.Reference);
        var posted = Assert.Single(bridge.Broker.Peek(Entities.ErpOutbound), message => message.SessionId == orderId);
        Assert.Equal(ErpMessageTypes.SalesOrderPosted, posted.ApplicationProperties[MessageProperties.MessageType]);
    }

    [Fact]
    public async Task StripeChargeRefunded_AfterACancellation_ConfirmsTheRefund()
    {
        var order = NewShopifyOrder("pending");
        await world.WarehouseAsync(10, order.Socks, order.Jacket);
        using (var created = await PostShopifyAsync(order.Body, $"evt-{Guid.NewGuid():N}"))
        {
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }
        var orderId = await OrderIdAsync(order.ShopifyId);
        await world.StatusAsync(orderId, OrderStatus.Reserved);
        var paymentIntent = $"pi_{Guid.NewGuid():N}";
        using (var paid = await PostStripeAsync("payment_intent.succeeded.json", new Dictionary<string, string>
        {
            ["evt_3QKx9HLkdIwHu7ix0mQ2bC3d"] = $"evt_{Guid.NewGuid():N}",
            [SamplePaymentIntent] = paymentIntent,
            ["ord-web-10001"] = orderId,
            ["4818"] = "12063",
        }))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }
        await world.StatusAsync(orderId, OrderStatus.Released);
        var cancelled = await world.Order(orderId).CancelAsync(new CancelRequest { Reason = "Customer changed their mind." });
        var requested = Assert.Single(cancelled.Refunds);
        var refundId = $"re_{Guid.NewGuid():N}";
        var cents = ((long)(requested.Amount * 100)).ToString(CultureInfo.InvariantCulture);

        using var response = await PostStripeAsync("charge.refunded.json", new Dictionary<string, string>
        {
            ["evt_3QKxBbLkdIwHu7ix2Tt6Uu7v"] = $"evt_{Guid.NewGuid():N}",
            [SamplePaymentIntent] = paymentIntent,
            ["re_3QKx9HLkdIwHu7ix0Cd2Ef3g"] = refundId,
            ["2499"] = cents,
            ["4818"] = "12063",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);
        var view = await world.ViewAsync(orderId);
        var refund = Assert.Single(view.Refunds);
        Assert.Equal(RefundStatus.Confirmed, refund.Status);
        Assert.Equal(requested.Amount, refund.Amount);
    }
}
