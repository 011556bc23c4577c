using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Retail.Api.Security;

namespace Retail.Api.Tests;

/// <summary>
/// Embedded mode (the factory sets <c>Retail:Embedded=true</c>): the API's own port takes the bridge's webhooks, and an
/// order a signed Shopify webhook brings in is served by the REST API.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class EmbeddedBridgeTests(ApiFactory api)
{
    [Fact]
    public async Task ShopifyWebhook_SignedOrder_IsVisibleThroughTheApi()
    {
        var shopifyOrderId = RandomShopifyId();
        var body = ShopifyOrder(shopifyOrderId);
        using var webhookClient = api.CreateClient();
        using var apiClient = api.ClientWith(Scopes.OrdersRead);
        var orderId = OrderIdFor("shopify", shopifyOrderId.ToString(CultureInfo.InvariantCulture));

        var delivered = await webhookClient.SendAsync(SignedShopifyRequest(body, ApiFactory.ShopifySecret));
        var order = await TestOrders.EventuallyAsync(
            () => apiClient.GetAsync($"/api/v1/orders/{orderId}"), response => response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));

        Assert.True(delivered.IsSuccessStatusCode, $"The webhook answered {(int)delivered.StatusCode}: {await delivered.Content.ReadAsStringAsync()}");
        Assert.Equal(orderId, (await delivered.JsonAsync()).GetProperty("orderId").GetString());
        Assert.Equal(HttpStatusCode.OK, order.StatusCode);
        var json = await order.JsonAsync();
        Assert.Equal("shopify", json.GetProperty("channel").GetString());
        Assert.Equal(shopifyOrderId.ToString(CultureInfo.InvariantCulture), json.GetProperty("channelOrderId").GetString());
    }

    [Fact]
    public async Task ShopifyWebhook_WrongSignature_Answers401AndTakesNothingIn()
    {
        var shopifyOrderId = RandomShopifyId();
        using var webhookClient = api.CreateClient();
        using var apiClient = api.ClientWith(Scopes.OrdersRead);

        var delivered = await webhookClient.SendAsync(SignedShopifyRequest(ShopifyOrder(shopifyOrderId), "not-the-secret"));
        var order = await apiClient.GetAsync($"/api/v1/orders/{OrderIdFor("shopify", shopifyOrderId.ToString(CultureInfo.InvariantCulture))}");

        Assert.Equal(HttpStatusCode.Unauthorized, delivered.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, order.StatusCode);
    }

    [Fact]
    public async Task ShopifyWebhook_BodyOverTheApiLimit_IsNotRefusedByIt()
    {
        var shopifyOrderId = RandomShopifyId();
        var body = ShopifyOrder(shopifyOrderId, note: new string('n', 400 * 1024));
        using var webhookClient = api.CreateClient();

        var delivered = await webhookClient.SendAsync(SignedShopifyRequest(body, ApiFactory.ShopifySecret));

        Assert.True(body.Length > RequestSizeLimit.DefaultMaxBytes);
        Assert.True(delivered.IsSuccessStatusCode, $"The webhook answered {(int)delivered.StatusCode}: {await delivered.Content.ReadAsStringAsync()}");
    }

    /// <summary>The bridge's deterministic order id of a channel order (Retail.Functions' OrderIntake.OrderIdFor).</summary>
    private static string OrderIdFor(string channel, string channelOrderId) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes($"{channel}/{channelOrderId}")).AsSpan(0, 16)).ToString("N");

    private static long RandomShopifyId() => RandomNumberGenerator.GetInt32(1, int.MaxValue) * 1000L + RandomNumberGenerator.GetInt32(1000);

    private static HttpRequestMessage SignedShopifyRequest(byte[] body, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
        return request;
    }

    private static byte[] ShopifyOrder(long id, string note = "") => Encoding.UTF8.GetBytes($$"""
        {
          "id": {{id}},
          "name": "#{{id % 100000}}",
          "email": "grace@example.com",
          "created_at": "2026-11-23T05:12:44-05:00",
          "currency": "USD",
          "financial_status": "paid",
          "note": "{{note}}",
          "total_line_items_price": "20.00",
          "total_discounts": "0.00",
          "total_tax": "0.00",
          "total_price": "20.00",
          "total_shipping_price_set": { "shop_money": { "amount": "0.00", "currency_code": "USD" } },
          "customer": { "id": 7011223344556, "email": "grace@example.com", "first_name": "Grace", "last_name": "Hopper" },
          "shipping_address": { "name": "Grace Hopper", "address1": "1 Main St", "city": "Springfield", "province_code": "IL", "zip": "62701", "country_code": "US" },
          "line_items": [ { "id": 14655210012345, "sku": "SKU-SHOPIFY-{{id}}", "quantity": 2, "price": "10.00", "tax_lines": [] } ],
          "shipping_lines": [],
          "payment_gateway_names": [ "shopify_payments" ]
        }
        """);
}
