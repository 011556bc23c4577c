using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Orders;
using Retail.Messaging;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>
/// One order's whole life as the outside world drives it: stock set up through the API, a signed Shopify order and a
/// signed Stripe payment to the bridge, the posting taken from erp-outbound, and the ERP's acceptance, two shipments and
/// the invoice sent to erp-inbound.
/// </summary>
internal sealed class OrderFlow(HttpClient api, HttpClient bridge, (string Shopify, string Stripe) secrets, IMessagePublisher publisher, RetailTraffic traffic,
    Func<string> diagnostics)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);
    private static long _shopifyOrderNumber = 7_100_000_000_000 + DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000 * 100;

    public string LocationId { get; } = "WH-E2E-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public string SkuA { get; } = "E2E-A-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public string SkuB { get; } = "E2E-B-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public long ShopifyOrderId { get; } = Interlocked.Increment(ref _shopifyOrderNumber);

    /// <summary>Retail's order id for the Shopify order: deterministic (docs/bridge.md).</summary>
    public string OrderId => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(OrderIndexKey.For(Channels.Shopify, ShopifyOrderId.ToString(CultureInfo.InvariantCulture)))).AsSpan(0, 16)).ToString("N");

    public async Task SetUpStockAsync()
    {
        await SendAsync(HttpMethod.Put, $"api/v1/locations/{LocationId}", new { name = "End-to-end warehouse", type = "warehouse", priority = 1, region = "US-East" });
        await SendAsync(HttpMethod.Put, $"api/v1/inventory/{SkuA}/{LocationId}", new { onHand = 10, safetyStock = 0 });
        await SendAsync(HttpMethod.Put, $"api/v1/inventory/{SkuB}/{LocationId}", new { onHand = 10, safetyStock = 0 });
    }

    /// <summary>orders/create with financial_status pending: 3 x A at 10.00, 2 x B at 25.00; the order is reserved.</summary>
    public async Task PlaceShopifyOrderAsync()
    {
        var order = new JsonObject
        {
            ["id"] = ShopifyOrderId,
            ["name"] = $"#E2E{ShopifyOrderId % 100000}",
            ["email"] = "ada@example.com",
            ["created_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = "USD",
            ["financial_status"] = "pending",
            ["subtotal_price"] = "80.00",
            ["total_tax"] = "6.40",
            ["total_discounts"] = "0.00",
            ["total_price"] = "91.40",
            ["total_shipping_price_set"] = new JsonObject
            {
                ["shop_money"] = new JsonObject { ["amount"] = "5.00", ["currency_code"] = "USD" },
                ["presentment_money"] = new JsonObject { ["amount"] = "5.00", ["currency_code"] = "USD" },
            },
            ["customer"] = new JsonObject { ["id"] = 6_200_000_001, ["email"] = "ada@example.com", ["first_name"] = "Ada", ["last_name"] = "Lovelace" },
            ["shipping_address"] = new JsonObject
            {
                ["name"] = "Ada Lovelace", ["address1"] = "1 Main St", ["city"] = "Springfield", ["province_code"] = "IL",
                ["zip"] = "62701", ["country_code"] = "US",
            },
            ["line_items"] = new JsonArray(
                LineItem(ShopifyOrderId * 10 + 1, SkuA, 3, "10.00", "2.40"),
                LineItem(ShopifyOrderId * 10 + 2, SkuB, 2, "25.00", "4.00")),
        };
        var body = Encoding.UTF8.GetBytes(order.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/shopify") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", "orders/create");
        request.Headers.Add("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secrets.Shopify), body)));
        request.Headers.Add("X-Shopify-Shop-Domain", "retail-e2e.myshopify.com");
        request.Headers.Add("X-Shopify-Event-Id", Guid.NewGuid().ToString());
        using var response = await bridge.SendAsync(request);
        var text = await EnsureSuccessAsync(response, "Shopify orders/create");
        Assert.Equal(OrderId, JsonDocument.Parse(text).RootElement.GetProperty("orderId").GetString());

        var reserved = await WaitForStatusAsync(OrderStatus.Reserved);
        Assert.All(reserved.Lines, line => Assert.Equal(line.Ordered, line.Reserved));
    }

    /// <summary>payment_intent.succeeded for the order; Retail posts it to the ERP.</summary>
    public async Task<SalesOrderPosted> PayWithStripeAsync()
    {
        var stripeEvent = new JsonObject
        {
            ["id"] = "evt_" + Guid.NewGuid().ToString("N")[..24],
            ["object"] = "event",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["type"] = "payment_intent.succeeded",
            ["data"] = new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["id"] = "pi_" + Guid.NewGuid().ToString("N")[..24],
                    ["object"] = "payment_intent",
                    ["amount"] = 9140,
                    ["amount_received"] = 9140,
                    ["currency"] = "usd",
                    ["status"] = "succeeded",
                    ["metadata"] = new JsonObject { ["order_id"] = OrderId },
                },
            },
        };
        var body = Encoding.UTF8.GetBytes(stripeEvent.ToJsonString());
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secrets.Stripe), Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray()));
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/stripe") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("Stripe-Signature", $"t={timestamp},v1={signature}");
        using var response = await bridge.SendAsync(request);
        await EnsureSuccessAsync(response, "Stripe payment_intent.succeeded");

        var posting = await traffic.WaitForPostingAsync(OrderId, StepTimeout, diagnostics);
        Assert.Equal([SkuA, SkuB], posting.Order.Lines.Select(line => line.Sku));
        Assert.All(posting.Allocations, line => Assert.Equal(LocationId, Assert.Single(line.Locations).LocationId));
        return posting;
    }

    /// <summary>The ERP accepts, ships 2 x A and 1 x B, then the rest, then invoices everything: the order completes.</summary>
    public async Task<OrderView> FulfilAsync(SalesOrderPosted posting)
    {
        var lineA = posting.Order.Lines.Single(line => line.Sku == SkuA).LineId;
        var lineB = posting.Order.Lines.Single(line => line.Sku == SkuB).LineId;
        await SendErpAsync(ErpMessageTypes.OrderPostingAccepted, new OrderPostingAccepted { OrderId = OrderId, ErpOrderNumber = "SO-" + ShopifyOrderId % 1_000_000 });
        await SendErpAsync(ErpMessageTypes.ShipmentConfirmed, Shipment("S1", (lineA, 2), (lineB, 1)));
        var partial = await WaitForStatusAsync(OrderStatus.PartiallyShipped);
        Assert.Equal([2, 1], partial.Lines.Select(line => line.Shipped));

        await SendErpAsync(ErpMessageTypes.ShipmentConfirmed, Shipment("S2", (lineA, 1), (lineB, 1)));
        await WaitForStatusAsync(OrderStatus.Shipped);
        await SendErpAsync(ErpMessageTypes.InvoicePosted, new InvoicePosted
        {
            OrderId = OrderId,
            InvoiceId = $"INV-{ShopifyOrderId}",
            PostedAt = DateTimeOffset.UtcNow,
            Lines = [new InvoiceLine { LineId = lineA, Quantity = 3, Amount = 30.00m }, new InvoiceLine { LineId = lineB, Quantity = 2, Amount = 50.00m }],
            Total = 80.00m,
        });
        var completed = await WaitForStatusAsync(OrderStatus.Completed);
        Assert.Equal([3, 2], completed.Lines.Select(line => line.Ordered));
        Assert.Equal([3, 2], completed.Lines.Select(line => line.Shipped));
        Assert.Equal([3, 2], completed.Lines.Select(line => line.Invoiced));
        Assert.All(completed.Lines, line => Assert.Equal(0, line.Cancelled));
        Assert.Equal(7, await OnHandAsync(SkuA));
        Assert.Equal(8, await OnHandAsync(SkuB));
        return completed;
    }

    /// <summary>The order's events arrive in order, each with a higher sequence (the order's ERP messages share the count), from received to completed.</summary>
    public async Task AssertEventsAsync()
    {
        var arrived = await traffic.WaitForEventsAsync(OrderId, EventTypes.OrderCompleted, StepTimeout, diagnostics);
        // Delivery is at least once (a silo failure resends what its outbox had not yet trimmed): subscribers dedupe on the id.
        var events = arrived.DistinctBy(retailEvent => retailEvent.Id).ToList();

        var sequences = events.Select(retailEvent => retailEvent.Sequence).ToList();
        Assert.True(sequences.Zip(sequences.Skip(1)).All(pair => pair.Second > pair.First),
            "Events out of order: " + string.Join(", ", arrived.Select(retailEvent => $"{retailEvent.Type}#{retailEvent.Sequence}")));
        var types = events.Select(retailEvent => retailEvent.Type).ToList();
        string[] milestones = [EventTypes.OrderReceived, EventTypes.OrderReserved, EventTypes.OrderReleased, EventTypes.OrderShipped, EventTypes.OrderInvoiced, EventTypes.OrderCompleted];
        var positions = milestones.Select(type => types.IndexOf(type)).ToList();
        Assert.True(positions.All(position => position >= 0) && positions.Zip(positions.Skip(1)).All(pair => pair.Second > pair.First),
            "Events: " + string.Join(", ", events.Select(retailEvent => $"{retailEvent.Type}#{retailEvent.Sequence}")));
        Assert.All(events, retailEvent => Assert.Equal(RetailEvent.IdFor(OrderId, retailEvent.Sequence), retailEvent.Id));
    }

    private ShipmentConfirmed Shipment(string suffix, params (string LineId, int Quantity)[] lines) => new()
    {
        OrderId = OrderId,
        ShipmentId = $"{OrderId}-{suffix}",
        LocationId = LocationId,
        ShippedAt = DateTimeOffset.UtcNow,
        Carrier = "UPS",
        TrackingNumber = "1Z" + suffix + ShopifyOrderId,
        Lines = [.. lines.Select(line => new LineQuantity { LineId = line.LineId, Quantity = line.Quantity })],
    };

    private async Task SendErpAsync(string messageType, object body)
    {
        var message = new TransportMessage
        {
            MessageId = Guid.NewGuid().ToString("N"),
            SessionId = OrderId,
            Subject = messageType,
            ApplicationProperties = new Dictionary<string, string>(StringComparer.Ordinal) { [MessageProperties.MessageType] = messageType },
            Body = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), RetailJson.Options),
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await publisher.PublishAsync(Entities.ErpInbound, message, timeout.Token);
    }

    public async Task<OrderView> WaitForStatusAsync(OrderStatus status)
    {
        var deadline = DateTime.UtcNow + StepTimeout;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await api.GetAsync($"api/v1/orders/{OrderId}");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var order = JsonSerializer.Deserialize<OrderView>(await response.Content.ReadAsStringAsync(), RetailJson.Options)!;
                    if (order.Status == status)
                    {
                        return order;
                    }
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                last = exception.Message;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"Order {OrderId} did not reach {status} within {StepTimeout}; last answer: {last}\n{diagnostics()}");
    }

    private async Task<int> OnHandAsync(string sku)
    {
        using var response = await api.GetAsync($"api/v1/inventory/{sku}/{LocationId}");
        var text = await EnsureSuccessAsync(response, $"GET inventory {sku}");
        return JsonDocument.Parse(text).RootElement.GetProperty("onHand").GetInt32();
    }

    private async Task SendAsync(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await api.SendAsync(request);
        await EnsureSuccessAsync(response, $"{method} {path}");
    }

    private async Task<string> EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{what} answered {(int)response.StatusCode}: {text}\n{diagnostics()}");
        }
        return text;
    }

    private static JsonObject LineItem(long id, string sku, int quantity, string price, string tax) => new()
    {
        ["id"] = id,
        ["sku"] = sku,
        ["title"] = sku,
        ["quantity"] = quantity,
        ["price"] = price,
        ["total_discount"] = "0.00",
        ["tax_lines"] = new JsonArray(new JsonObject { ["title"] = "IL State Tax", ["rate"] = 0.08, ["price"] = tax }),
    };
}
