using System.Globalization;
using System.Text;
using Retail.Contracts;
using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;
using Retail.Functions.CloudEvents;
using Retail.Functions.Shopify;
using Retail.Functions.Stripe;
using Retail.Functions.Tests.Stripe;
using Retail.Functions.Tests.EndToEnd;
using Retail.Functions.Tests.Webhooks;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Tests.Hosting;

/// <summary>Each webhook function, created by the worker and called in-process, through to the real grains.</summary>
[Collection(FunctionsWorkerCollection.Name)]
public sealed class FunctionsWorkerTests(FunctionsWorker worker)
{
    private const string SampleShopifyId = "5923418800312";

    private static string Unique(string prefix) => OrderWorld.Unique(prefix);

    private static (string ShopifyId, byte[] Body) NewShopifyOrder()
    {
        var shopifyId = (6_000_000_000_000L + Random.Shared.NextInt64(999_999_999_999L)).ToString(CultureInfo.InvariantCulture);
        var body = Samples.Read("Shopify", "orders-create.json")
            .Replace(SampleShopifyId, shopifyId, StringComparison.Ordinal)
            .Replace("\"financial_status\": \"paid\"", "\"financial_status\": \"pending\"", StringComparison.Ordinal);
        return (shopifyId, Encoding.UTF8.GetBytes(body));
    }

    private Task<FunctionsWorker.Answer> ShopifyAsync(byte[] body, string secret) =>
        worker.InvokeAsync<ShopifyFunction>("POST", "/webhooks/shopify", body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            ["X-Shopify-Topic"] = "orders/create",
            ["X-Shopify-Webhook-Id"] = $"wh-{Guid.NewGuid():N}",
            ["X-Shopify-Event-Id"] = $"evt-{Guid.NewGuid():N}",
            ["X-Shopify-Hmac-Sha256"] = WebhookSignature.ComputeBase64(body, secret),
        }, (function, request) => function.RunAsync(request));

    private Task<FunctionsWorker.Answer> StripeAsync(byte[] body, string secret) =>
        worker.InvokeAsync<StripeFunction>("POST", "/webhooks/stripe", body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            ["Stripe-Signature"] = StripeSigning.Header(body, secret, DateTimeOffset.UtcNow),
        }, (function, request) => function.RunAsync(request));

    private Task<FunctionsWorker.Answer> MarketplaceAsync(byte[] body, string secret) =>
        worker.InvokeAsync<CloudEventsFunctions>("POST", "/webhooks/events/marketplace", body, new Dictionary<string, string>
        {
            ["Content-Type"] = "application/cloudevents+json",
            ["X-Signature"] = "sha256=" + WebhookSignature.ComputeHex(body, secret),
        }, (function, request) => function.DeliverAsync(request, "marketplace"));

    private Task<string?> LookupAsync(string channel, string channelOrderId) =>
        worker.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(channel, channelOrderId)).LookupAsync();

    private async Task<string> OrderIdAsync(string channel, string channelOrderId)
    {
        string? orderId = null;
        await EmbeddedBridge.EventuallyAsync(async () => (orderId = await LookupAsync(channel, channelOrderId)) is not null,
            $"{channel} order {channelOrderId} to be indexed");
        return orderId!;
    }

    private async Task StockAsync(params string[] skus)
    {
        var locationId = Unique("dc").ToLowerInvariant();
        await worker.Grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).UpsertAsync(new Location
        {
            LocationId = locationId, Name = locationId, Type = LocationType.Warehouse, Priority = 1,
        });
        foreach (var sku in skus)
        {
            await worker.Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId)).SetStockAsync(10, 0);
        }
    }

    [Fact]
    public async Task ShopifyFunction_SignedOrder_CreatesTheOrderInTheGrains()
    {
        var (shopifyId, body) = NewShopifyOrder();

        var answer = await ShopifyAsync(body, BridgeHost.ShopifyNewSecret);

        Assert.Equal(200, answer.StatusCode);
        Assert.Contains("\"status\":\"processed\"", answer.Body, StringComparison.Ordinal);
        var order = await worker.Grains.GetGrain<IOrderGrain>(await OrderIdAsync(Channels.Shopify, shopifyId)).GetAsync();
        Assert.NotNull(order);
        Assert.Equal(shopifyId, order.ChannelOrderId);
        Assert.Equal(["SOCK-TRL-CHR-M", "JKT-RAIN-NVY-L"], order.Lines.Select(line => line.Sku));
    }

    [Fact]
    public async Task ShopifyFunction_ForgedSignature_Answers401AndStoresNothing()
    {
        var (shopifyId, body) = NewShopifyOrder();

        var answer = await ShopifyAsync(body, "shpss_not-the-shops-secret");

        Assert.Equal(401, answer.StatusCode);
        Assert.Contains(ProblemCodes.WebhookSignatureInvalid, answer.Body, StringComparison.Ordinal);
        Assert.Null(await LookupAsync(Channels.Shopify, shopifyId));
    }

    [Fact]
    public async Task StripeFunction_SignedPaymentSucceeded_CapturesThePaymentOnTheOrder()
    {
        var (shopifyId, order) = NewShopifyOrder();
        await StockAsync("SOCK-TRL-CHR-M", "JKT-RAIN-NVY-L");
        Assert.Equal(200, (await ShopifyAsync(order, BridgeHost.ShopifyNewSecret)).StatusCode);
        var orderId = await OrderIdAsync(Channels.Shopify, shopifyId);
        var paymentIntent = $"pi_{Guid.NewGuid():N}";
        var body = Encoding.UTF8.GetBytes(Samples.Read("Stripe", "payment_intent.succeeded.json")
            .Replace("evt_3QKx9HLkdIwHu7ix0mQ2bC3d", $"evt_{Guid.NewGuid():N}", StringComparison.Ordinal)
            .Replace("pi_3QKx9HLkdIwHu7ix0Yb8dTq1", paymentIntent, StringComparison.Ordinal)
            .Replace("ord-web-10001", orderId, StringComparison.Ordinal)
            .Replace("4818", "12063", StringComparison.Ordinal));

        var answer = await StripeAsync(body, BridgeHost.StripeSecret);

        Assert.Equal(200, answer.StatusCode);
        var view = await worker.Grains.GetGrain<IOrderGrain>(orderId).GetAsync();
        Assert.Equal(PaymentStatuses.Captured, view!.Payment!.Status);
        Assert.Equal(paymentIntent, view.Payment.Reference);
    }

    [Fact]
    public async Task StripeFunction_ForgedSignature_Answers401AndLeavesThePaymentAsItWas()
    {
        var (shopifyId, order) = NewShopifyOrder();
        Assert.Equal(200, (await ShopifyAsync(order, BridgeHost.ShopifyNewSecret)).StatusCode);
        var orderId = await OrderIdAsync(Channels.Shopify, shopifyId);
        var body = Encoding.UTF8.GetBytes(Samples.Read("Stripe", "payment_intent.succeeded.json")
            .Replace("evt_3QKx9HLkdIwHu7ix0mQ2bC3d", $"evt_{Guid.NewGuid():N}", StringComparison.Ordinal)
            .Replace("ord-web-10001", orderId, StringComparison.Ordinal));

        var answer = await StripeAsync(body, "whsec_not-the-endpoint-secret");

        Assert.Equal(401, answer.StatusCode);
        Assert.Contains(ProblemCodes.WebhookSignatureInvalid, answer.Body, StringComparison.Ordinal);
        var view = await worker.Grains.GetGrain<IOrderGrain>(orderId).GetAsync();
        Assert.Equal(PaymentStatuses.Pending, view!.Payment!.Status);
    }

    [Fact]
    public async Task CloudEventsFunction_SignedMarketplaceOrder_CreatesTheOrderInTheGrains()
    {
        var channelOrderId = Unique("302");
        var body = Encoding.UTF8.GetBytes(Samples.Read("CloudEvents", "marketplace-order.structured.json")
            .Replace("mkp-evt-00042", Unique("mkp-evt"), StringComparison.Ordinal)
            .Replace("302-1234567-7654321", channelOrderId, StringComparison.Ordinal));

        var answer = await MarketplaceAsync(body, BridgeHost.MarketplaceSecret);

        Assert.Equal(200, answer.StatusCode);
        var order = await worker.Grains.GetGrain<IOrderGrain>(await OrderIdAsync(Channels.Marketplace, channelOrderId)).GetAsync();
        Assert.Equal(Channels.Marketplace, order!.Channel);
        Assert.Equal(["JKT-RAIN-NVY-L"], order.Lines.Select(line => line.Sku));
    }

    [Fact]
    public async Task CloudEventsFunction_ForgedSignature_Answers401AndStoresNothing()
    {
        var channelOrderId = Unique("302");
        var body = Encoding.UTF8.GetBytes(Samples.Read("CloudEvents", "marketplace-order.structured.json")
            .Replace("302-1234567-7654321", channelOrderId, StringComparison.Ordinal));

        var answer = await MarketplaceAsync(body, "mkp-not-the-source-secret");

        Assert.Equal(401, answer.StatusCode);
        Assert.Contains(ProblemCodes.WebhookSignatureInvalid, answer.Body, StringComparison.Ordinal);
        Assert.Null(await LookupAsync(Channels.Marketplace, channelOrderId));
    }

    [Fact]
    public async Task CloudEventsValidationFunction_ConfiguredSource_AllowsTheOrigin()
    {
        var answer = await worker.InvokeAsync<CloudEventsFunctions>("OPTIONS", "/webhooks/events/marketplace", [],
            new Dictionary<string, string> { ["WebHook-Request-Origin"] = "connector.example-marketplace.com" },
            (function, request) => function.ValidateAsync(request, "marketplace"));

        Assert.Equal(200, answer.StatusCode);
        Assert.Equal("connector.example-marketplace.com", answer.Headers["WebHook-Allowed-Origin"]);
    }
}
