using System.Net.Http.Json;
using System.Text.Json;
using Retail.Contracts;

namespace Retail.Api.Tests;

/// <summary>Canonical order bodies and JSON helpers for the endpoint tests.</summary>
internal static class TestOrders
{
    public static Dictionary<string, object?> Order(string? sku = null, string channel = "web", string? channelOrderId = null, string paymentStatus = "authorized") => new()
    {
        ["channel"] = channel,
        ["channelOrderId"] = channelOrderId ?? "T-" + Guid.NewGuid().ToString("N"),
        ["placedAt"] = "2026-11-23T10:00:00Z",
        ["currency"] = "USD",
        ["customer"] = new { customerId = "c-1", email = "ada@example.com", name = "Ada" },
        ["shipTo"] = new { name = "Ada", line1 = "1 Main St", city = "Springfield", region = "IL", postalCode = "62701", country = "US" },
        ["fulfillment"] = new { method = "ship" },
        ["lines"] = new[] { new { lineId = "1", sku = sku ?? "SKU-UNKNOWN-" + Guid.NewGuid().ToString("N")[..8], quantity = 2, unitPrice = 10.00m, discount = 0m, tax = 0m } },
        ["totals"] = new { subtotal = 20.00m, discount = 0m, shipping = 0m, tax = 0m, grandTotal = 20.00m },
        ["payment"] = new { provider = "stripe", reference = "pi_" + Guid.NewGuid().ToString("N")[..10], status = paymentStatus },
    };

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text.Length == 0 ? "null" : text).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body, options: RetailJson.Options) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return client.SendAsync(request);
    }

    /// <summary>Polls until <paramref name="condition"/> holds (generous: the machine may be loaded).</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (condition(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(200);
        }
    }
}
