using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Tools.Simulation;

/// <summary>One customer action per call, in the senders' real formats, signed as the senders sign.</summary>
internal sealed class Traffic(HttpClient api, HttpClient bridge, WebhookSecrets secrets, SimulationCounters counters, Random random)
{
    private readonly ConcurrentQueue<JsonObject> _unpaidShopifyOrders = new();
    private readonly ConcurrentQueue<(string OrderId, string PaymentIntent, decimal Amount)> _unpaidWebOrders = new();
    private readonly ConcurrentQueue<string> _recentOrders = new();
    private long _shopifyOrderNumber = 1000 + DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 100000;

    public async Task SendOneAsync(CancellationToken cancellationToken)
    {
        var roll = random.NextDouble();
        if (roll < 0.35)
        {
            await ShopifyOrderAsync(cancellationToken);
        }
        else if (roll < 0.55 && _unpaidShopifyOrders.TryDequeue(out var shopifyOrder))
        {
            await ShopifyPaidAsync(shopifyOrder, cancellationToken);
        }
        else if (roll < 0.75)
        {
            await WebOrderAsync(cancellationToken);
        }
        else if (roll < 0.92 && _unpaidWebOrders.TryDequeue(out var webOrder))
        {
            await StripePaymentAsync(webOrder, failed: random.NextDouble() < 0.05, cancellationToken);
        }
        else if (roll < 0.96)
        {
            await CancelSomethingAsync(cancellationToken);
        }
        else
        {
            await ReturnSomethingAsync(cancellationToken);
        }
    }

    private async Task ShopifyOrderAsync(CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _shopifyOrderNumber);
        var lines = PickLines();
        var subtotal = lines.Sum(line => line.Price * line.Quantity);
        var tax = Math.Round(subtotal * 0.08m, 2);
        const decimal shipping = 5.00m;
        var paid = random.NextDouble() < 0.4;
        var order = new JsonObject
        {
            ["id"] = 5_100_000_000_000 + number,
            ["name"] = $"#{number}",
            ["email"] = $"customer{number}@example.com",
            ["created_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = "USD",
            ["financial_status"] = paid ? "paid" : "pending",
            ["subtotal_price"] = Money(subtotal),
            ["total_tax"] = Money(tax),
            ["total_discounts"] = "0.00",
            ["total_price"] = Money(subtotal + tax + shipping),
            ["total_shipping_price_set"] = new JsonObject
            {
                ["shop_money"] = new JsonObject { ["amount"] = Money(shipping), ["currency_code"] = "USD" },
                ["presentment_money"] = new JsonObject { ["amount"] = Money(shipping), ["currency_code"] = "USD" },
            },
            ["customer"] = new JsonObject { ["id"] = 6_200_000_000 + number, ["email"] = $"customer{number}@example.com", ["first_name"] = "Ada", ["last_name"] = "Lovelace" },
            ["shipping_address"] = new JsonObject
            {
                ["first_name"] = "Ada", ["last_name"] = "Lovelace", ["name"] = "Ada Lovelace", ["address1"] = "1 Main St", ["address2"] = null,
                ["city"] = "Springfield", ["province"] = "Illinois", ["province_code"] = "IL", ["zip"] = "62701", ["country"] = "United States", ["country_code"] = "US",
            },
            ["shipping_lines"] = new JsonArray(new JsonObject { ["code"] = "Standard", ["title"] = "Standard", ["price"] = Money(shipping) }),
            ["line_items"] = new JsonArray([.. lines.Select((line, index) => (JsonNode)new JsonObject
            {
                ["id"] = 13_000_000_000 + number * 10 + index,
                ["sku"] = line.Sku,
                ["title"] = line.Title,
                ["quantity"] = line.Quantity,
                ["price"] = Money(line.Price),
                ["total_discount"] = "0.00",
                ["discount_allocations"] = new JsonArray(),
                ["tax_lines"] = new JsonArray(new JsonObject { ["title"] = "IL State Tax", ["rate"] = 0.08, ["price"] = Money(LineTax(line, subtotal, tax, lines)) }),
            })]),
        };
        await SendShopifyAsync("orders/create", order, cancellationToken);
        counters.Increment("shopify orders");
        if (!paid)
        {
            _unpaidShopifyOrders.Enqueue(order);
        }
    }

    private async Task ShopifyPaidAsync(JsonObject order, CancellationToken cancellationToken)
    {
        order["financial_status"] = "paid";
        order["updated_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
        await SendShopifyAsync("orders/updated", order, cancellationToken);
        counters.Increment("shopify payments");
    }

    private async Task SendShopifyAsync(string topic, JsonObject order, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(order.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/shopify") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Hmac-Sha256", Signing.Shopify(secrets.Shopify, body));
        request.Headers.Add("X-Shopify-Shop-Domain", "retail-demo.myshopify.com");
        request.Headers.Add("X-Shopify-API-Version", "2025-10");
        request.Headers.Add("X-Shopify-Webhook-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Event-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Shopify-Triggered-At", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        using var response = await bridge.SendAsync(request, cancellationToken);
        await Simulator.EnsureAsync(response, $"Shopify {topic}", cancellationToken);
    }

    private async Task WebOrderAsync(CancellationToken cancellationToken)
    {
        var lines = PickLines();
        var subtotal = lines.Sum(line => line.Price * line.Quantity);
        var tax = Math.Round(subtotal * 0.08m, 2);
        var paymentIntent = $"pi_{Guid.NewGuid():N}"[..27];
        var pickup = random.NextDouble() < 0.2;
        var order = new CanonicalOrder
        {
            Channel = Channels.Web,
            ChannelOrderId = $"W-{Guid.NewGuid():N}"[..14],
            PlacedAt = DateTimeOffset.UtcNow,
            Currency = "USD",
            Customer = new Customer { CustomerId = $"c-{random.Next(1, 5000)}", Email = "shopper@example.com", Name = "Grace Hopper" },
            ShipTo = new Address { Name = "Grace Hopper", Line1 = "2 Elm St", City = "Arlington", Region = "VA", PostalCode = "22201", Country = "US" },
            Fulfillment = pickup ? new Fulfillment { Method = FulfillmentMethods.Pickup, PickupLocationId = "STORE-NYC" } : new Fulfillment(),
            Lines = [.. lines.Select((line, index) => new OrderLine
            {
                LineId = (index + 1).ToString(CultureInfo.InvariantCulture),
                Sku = line.Sku,
                Quantity = line.Quantity,
                UnitPrice = line.Price,
                Tax = LineTax(line, subtotal, tax, lines),
            })],
            Totals = new Totals { Subtotal = subtotal, Shipping = pickup ? 0 : 5.00m, Tax = tax, GrandTotal = subtotal + tax + (pickup ? 0 : 5.00m) },
            Payment = new Payment { Provider = "stripe", Reference = paymentIntent, Status = PaymentStatuses.Pending },
        };
        using var response = await api.PostAsJsonAsync("api/v1/orders", order, RetailJson.Options, cancellationToken);
        await Simulator.EnsureAsync(response, "POST order", cancellationToken);
        var created = await response.Content.ReadFromJsonAsync<IntakeResult>(RetailJson.Options, cancellationToken);
        counters.Increment("web orders");
        if (created is not null)
        {
            _unpaidWebOrders.Enqueue((created.OrderId, paymentIntent, order.Totals.GrandTotal));
            Remember(created.OrderId);
        }
    }

    private async Task StripePaymentAsync((string OrderId, string PaymentIntent, decimal Amount) order, bool failed, CancellationToken cancellationToken)
    {
        var cents = (long)(order.Amount * 100);
        var stripeEvent = new JsonObject
        {
            ["id"] = $"evt_{Guid.NewGuid():N}"[..28],
            ["object"] = "event",
            ["api_version"] = "2024-06-20",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["type"] = failed ? "payment_intent.payment_failed" : "payment_intent.succeeded",
            ["data"] = new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["id"] = order.PaymentIntent,
                    ["object"] = "payment_intent",
                    ["amount"] = cents,
                    ["amount_received"] = failed ? 0 : cents,
                    ["currency"] = "usd",
                    ["status"] = failed ? "requires_payment_method" : "succeeded",
                    ["capture_method"] = "automatic",
                    ["metadata"] = new JsonObject { ["order_id"] = order.OrderId },
                    ["last_payment_error"] = failed ? new JsonObject { ["code"] = "card_declined", ["message"] = "Your card was declined." } : null,
                },
            },
        };
        var body = Encoding.UTF8.GetBytes(stripeEvent.ToJsonString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/stripe") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("Stripe-Signature", Signing.Stripe(secrets.Stripe, body, DateTimeOffset.UtcNow));
        using var response = await bridge.SendAsync(request, cancellationToken);
        await Simulator.EnsureAsync(response, "Stripe " + stripeEvent["type"], cancellationToken);
        counters.Increment(failed ? "stripe failures" : "stripe payments");
    }

    private async Task CancelSomethingAsync(CancellationToken cancellationToken)
    {
        if (!_recentOrders.TryDequeue(out var orderId))
        {
            return;
        }
        using var response = await api.PostAsJsonAsync($"api/v1/orders/{orderId}/cancel",
            new { reason = "Customer changed their mind", lines = new[] { new { lineId = "1", quantity = 1 } } }, cancellationToken);
        counters.Increment(response.IsSuccessStatusCode ? "cancellations" : "cancellations refused");
    }

    private async Task ReturnSomethingAsync(CancellationToken cancellationToken)
    {
        if (!_recentOrders.TryDequeue(out var orderId))
        {
            return;
        }
        var order = await api.GetFromJsonAsync<OrderView>($"api/v1/orders/{orderId}", RetailJson.Options, cancellationToken);
        var shipped = order?.Lines.FirstOrDefault(line => line.Shipped > line.Returned);
        if (shipped is null)
        {
            Remember(orderId);
            return;
        }
        using var response = await api.PostAsJsonAsync($"api/v1/orders/{orderId}/returns",
            new { reason = "Did not fit", lines = new[] { new { lineId = shipped.LineId, quantity = 1 } } }, cancellationToken);
        counters.Increment(response.IsSuccessStatusCode ? "returns" : "returns refused");
    }

    private void Remember(string orderId)
    {
        _recentOrders.Enqueue(orderId);
        while (_recentOrders.Count > 200 && _recentOrders.TryDequeue(out _))
        {
        }
    }

    private List<(string Sku, string Title, decimal Price, int Quantity)> PickLines()
    {
        var count = random.Next(1, 4);
        return [.. Enumerable.Range(0, count)
            .Select(_ => Catalog.Products[random.Next(Catalog.Products.Count)])
            .DistinctBy(product => product.Sku)
            .Select(product => (product.Sku, product.Title, product.Price, random.Next(1, 3)))];
    }

    /// <summary>The order's tax shared over its lines by value, the last line taking the rounding.</summary>
    private static decimal LineTax((string Sku, string Title, decimal Price, int Quantity) line, decimal subtotal, decimal tax,
        List<(string Sku, string Title, decimal Price, int Quantity)> lines)
    {
        if (line == lines[^1])
        {
            return tax - lines.Take(lines.Count - 1).Sum(other => Math.Round(tax * other.Price * other.Quantity / subtotal, 2));
        }
        return Math.Round(tax * line.Price * line.Quantity / subtotal, 2);
    }

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
