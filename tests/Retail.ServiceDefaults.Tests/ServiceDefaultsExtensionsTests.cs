using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Orders;
using Retail.Messaging;

namespace Retail.ServiceDefaults.Tests;

[Collection(ObservedAppCollection.Name)]
public sealed class ServiceDefaultsExtensionsTests(ObservedApp app)
{
    private const string Email = "ada.lovelace@example.com";
    private const string Street = "12 Analytical Engine Row";
    private const string CustomerName = "Ada Lovelace";

    [Fact]
    public async Task AddServiceDefaults_OrderPostedThenShipped_OneTraceWithCorrelationIdAndNoCustomerData()
    {
        var sku = "SKU-OBS-" + Guid.NewGuid().ToString("N")[..8];
        var correlationId = "obs-" + Guid.NewGuid().ToString("N");
        var stock = await app.Client.PutAsJsonAsync($"/api/v1/inventory/{sku}/DC-1", new { onHand = 10, safetyStock = 0 });
        stock.EnsureSuccessStatusCode();
        var receivedBefore = app.Sum("retail.orders.received", ("channel", "web"));
        var releasedBefore = app.Sum("retail.orders.outcomes", ("status", "released"));

        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders") { Content = JsonContent.Create(Order(sku), options: RetailJson.Options) };
        post.Headers.Add(Correlation.HeaderName, correlationId);
        var response = await app.Client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var orderId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orderId").GetString()!;
        var order = app.Grains.GetGrain<IOrderGrain>(orderId);
        await ObservedApp.EventuallyAsync(async () => (await order.GetAsync())?.Status == OrderStatus.Released, "the order is released");
        var request = await FirstAsync(() => app.Spans.FirstOrDefault(s =>
            s.Kind == ActivityKind.Server && Equals(s.GetTagItem(Correlation.TagName), correlationId)), "the request span");
        var traceId = request.TraceId;
        var posting = app.Broker.Peek(Entities.ErpOutbound).First(m => m.CorrelationId == correlationId);
        var postingTrace = posting.ApplicationProperties[MessageProperties.TraceParent];

        using (var erp = new Activity("erp reply").SetParentId(postingTrace).Start())
        {
            await app.Broker.PublishAsync(Entities.ErpInbound, Shipment(orderId, correlationId));
        }
        await ObservedApp.EventuallyAsync(async () => (await order.GetAsync())?.Status == OrderStatus.Shipped, "the order is shipped");
        var processing = await FirstAsync(() => app.Spans.FirstOrDefault(s =>
            s.DisplayName == $"{Entities.ErpInbound} process" && Equals(s.GetTagItem(Correlation.TagName), correlationId)), "the processing span");
        var publish = app.Spans.Single(s => s.DisplayName == $"{Entities.ErpInbound} publish" && s.SpanId == processing.ParentSpanId);
        var flow = app.Spans.Where(s => s.TraceId == traceId).ToList();
        var flowLogs = app.Logs.Where(l => l.TraceId == traceId).ToList();

        Assert.Equal(traceId.ToHexString(), postingTrace.Split('-')[1]);
        Assert.Equal(traceId, processing.TraceId);
        Assert.Equal(traceId, publish.TraceId);
        Assert.Contains(flow, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.StartTimeUtc < processing.StartTimeUtc);
        Assert.Contains(flow, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.ParentSpanId == processing.SpanId);
        Assert.All(flow, s => Assert.Equal(correlationId, s.GetTagItem(Correlation.TagName)));
        Assert.NotEmpty(flowLogs);
        Assert.All(flowLogs, l => Assert.Equal(correlationId, l.CorrelationId));
        Assert.DoesNotContain(app.Logs, l => l.AllText.Contains(Email, StringComparison.OrdinalIgnoreCase)
            || l.AllText.Contains(Street, StringComparison.OrdinalIgnoreCase) || l.AllText.Contains(CustomerName, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(app.Spans, s => s.TagObjects.Any(t => t.Value?.ToString()?.Contains(Email, StringComparison.OrdinalIgnoreCase) == true));
        Assert.Equal(receivedBefore + 1, app.Sum("retail.orders.received", ("channel", "web")));
        Assert.Equal(releasedBefore + 1, app.Sum("retail.orders.outcomes", ("status", "released")));
        Assert.Single(app.Measurements, m => m.Instrument == "retail.orders.fulfilment_latency" && Equals(m.Tags["channel"], "web"));
    }

    [Fact]
    public async Task AddServiceDefaults_ErpMessageOfUnknownType_CountsDeadLetter()
    {
        var before = app.Sum("retail.messaging.dead_letters", ("entity", Entities.ErpInbound), ("reason", "UnknownMessageType"));

        await app.Broker.PublishAsync(Entities.ErpInbound, new TransportMessage
        {
            MessageId = "obs-" + Guid.NewGuid().ToString("N"),
            SessionId = "obs",
            ApplicationProperties = new Dictionary<string, string> { [MessageProperties.MessageType] = "NotAnErpMessage" },
            Body = Encoding.UTF8.GetBytes("{}"),
        });

        await ObservedApp.EventuallyAsync(
            () => Task.FromResult(app.Sum("retail.messaging.dead_letters", ("entity", Entities.ErpInbound), ("reason", "UnknownMessageType")) == before + 1),
            "the dead letter is counted");
    }

    private static Dictionary<string, object?> Order(string sku) => new()
    {
        ["channel"] = "web",
        ["channelOrderId"] = "OBS-" + Guid.NewGuid().ToString("N"),
        ["placedAt"] = "2026-11-23T10:00:00Z",
        ["currency"] = "USD",
        ["customer"] = new { customerId = "c-obs", email = Email, name = CustomerName },
        ["shipTo"] = new { name = CustomerName, line1 = Street, city = "Springfield", region = "IL", postalCode = "62701", country = "US" },
        ["fulfillment"] = new { method = "ship" },
        ["lines"] = new[] { new { lineId = "1", sku, quantity = 2, unitPrice = 10.00m, discount = 0m, tax = 0m } },
        ["totals"] = new { subtotal = 20.00m, discount = 0m, shipping = 0m, tax = 0m, grandTotal = 20.00m },
        ["payment"] = new { provider = "stripe", reference = "pi_" + Guid.NewGuid().ToString("N")[..10], status = "authorized" },
    };

    private static TransportMessage Shipment(string orderId, string correlationId) => new()
    {
        MessageId = $"shipment-{orderId}",
        CorrelationId = correlationId,
        SessionId = orderId,
        Subject = ErpMessageTypes.ShipmentConfirmed,
        ApplicationProperties = new Dictionary<string, string>
        {
            [MessageProperties.MessageType] = ErpMessageTypes.ShipmentConfirmed,
            [MessageProperties.CorrelationId] = correlationId,
        },
        Body = JsonSerializer.SerializeToUtf8Bytes(new ShipmentConfirmed
        {
            OrderId = orderId,
            ShipmentId = "SHP-" + orderId,
            LocationId = "DC-1",
            ShippedAt = DateTimeOffset.UtcNow,
            Carrier = "UPS",
            TrackingNumber = "1Z999",
            Lines = [new LineQuantity { LineId = "1", Quantity = 2 }],
        }, RetailJson.Options),
    };

    private static async Task<Activity> FirstAsync(Func<Activity?> find, string what)
    {
        Activity? found = null;
        await ObservedApp.EventuallyAsync(() => Task.FromResult((found = find()) is not null), what);
        return found!;
    }
}
