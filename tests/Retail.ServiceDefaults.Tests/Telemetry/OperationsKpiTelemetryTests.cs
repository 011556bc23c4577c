using System.Net.Http.Json;
using System.Text.Json;
using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;

namespace Retail.ServiceDefaults.Tests.Telemetry;

/// <summary>The return cycle time and the manual touch rate, on the Retail meter and in GET /kpis of the embedded app.</summary>
[Collection(ObservedAppCollection.Name)]
public sealed class OperationsKpiTelemetryTests(ObservedApp app)
{
    [Fact]
    public async Task ReceiveReturnAsync_ReturnReceivedThenRefunded_RecordsEachStageAndTheKpiCountsIt()
    {
        var sku = "SKU-RET-" + Guid.NewGuid().ToString("N")[..8];
        await app.Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, "DC-1")).SetStockAsync(5, 0);
        var orderId = "ret-" + Guid.NewGuid().ToString("N");
        var order = app.Grains.GetGrain<IOrderGrain>(orderId);
        await order.SubmitAsync(Order(orderId, sku, PaymentStatuses.Captured));
        await order.ConfirmShipmentAsync(new ShipmentConfirmed
        {
            OrderId = orderId, ShipmentId = "shp-" + orderId, LocationId = "DC-1", ShippedAt = DateTimeOffset.UtcNow,
            Lines = [new LineQuantity { LineId = "1", Quantity = 1 }],
        });
        var authorized = await order.AuthorizeReturnAsync(new ReturnRequest { Reason = "too small", Lines = [new LineQuantity { LineId = "1", Quantity = 1 }] });
        var receivedBefore = app.Sum("retail.returns.cycle_time", ("stage", "authorized_to_received"));

        await order.ReceiveReturnAsync(new ReturnReceived
        {
            OrderId = orderId, ReturnId = authorized.ReturnId, LocationId = "DC-1", ReceivedAt = DateTimeOffset.UtcNow.AddHours(2),
            Lines = [new ReturnedLine { LineId = "1", Quantity = 1, Resellable = true }],
        });
        var refund = Assert.Single((await order.GetAsync())!.Refunds);
        await order.ConfirmRefundAsync(new RefundConfirmation { ProviderRefundId = "re_" + orderId, Amount = refund.Amount });

        var received = app.Sum("retail.returns.cycle_time", ("stage", "authorized_to_received")) - receivedBefore;
        Assert.InRange(received, TimeSpan.FromHours(2).TotalSeconds - 60, TimeSpan.FromHours(2).TotalSeconds + 60);
        Assert.Contains(app.Measurements, m => m.Instrument == "retail.returns.cycle_time" && Equals(m.Tags["stage"], "authorized_to_refunded"));
        Assert.Contains(app.Measurements, m => m.Instrument == "retail.returns.cycle_time" && Equals(m.Tags["stage"], "received_to_refunded"));
        var kpis = await app.Client.GetFromJsonAsync<JsonElement>("/api/v1/kpis");
        var cycle = kpis.GetProperty("returnCycleTime");
        Assert.True(cycle.GetProperty("authorizedToReceived").GetProperty("count").GetInt32() >= 1);
        Assert.True(cycle.GetProperty("authorizedToRefunded").GetProperty("count").GetInt32() >= 1);
        Assert.True(cycle.GetProperty("authorizedToReceived").GetProperty("p95Seconds").GetDouble() >= TimeSpan.FromHours(2).TotalSeconds - 60);
    }

    [Fact]
    public async Task ResolveException_PersonResolvesAnOrdersException_CountsTheTouchAndTheKpiRateRises()
    {
        var orderId = "touch-" + Guid.NewGuid().ToString("N");
        await app.Grains.GetGrain<IOrderGrain>(orderId).SubmitAsync(Order(orderId, "SKU-NONE-" + Guid.NewGuid().ToString("N")[..8], PaymentStatuses.Captured));
        ExceptionRecord? record = null;
        await ObservedApp.EventuallyAsync(async () =>
        {
            var page = await app.Client.GetFromJsonAsync<JsonElement>("/api/v1/exceptions?limit=200");
            record = page.GetProperty("items").EnumerateArray()
                .Select(item => item.Deserialize<ExceptionRecord>(Contracts.RetailJson.Options)!)
                .FirstOrDefault(r => r.BusinessKey == orderId);
            return record is not null;
        }, "the order's exception is listed");
        var touchesBefore = app.Sum("retail.exceptions.manual_touches", ("kind", record!.Kind));
        var rateBefore = (await app.Client.GetFromJsonAsync<JsonElement>("/api/v1/kpis")).GetProperty("manualTouchRate");

        var resolved = await app.Client.PostAsJsonAsync($"/api/v1/exceptions/{record.Id}/resolve", new { resolution = "sourced by hand" });

        resolved.EnsureSuccessStatusCode();
        Assert.Equal(touchesBefore + 1, app.Sum("retail.exceptions.manual_touches", ("kind", record.Kind)));
        var rate = (await app.Client.GetFromJsonAsync<JsonElement>("/api/v1/kpis")).GetProperty("manualTouchRate");
        Assert.Equal(rateBefore.GetProperty("touched").GetInt32() + 1, rate.GetProperty("touched").GetInt32());
        Assert.True(rate.GetProperty("perHundredOrders").GetDouble() > 0);
    }

    private static CanonicalOrder Order(string orderId, string sku, string paymentStatus) => new()
    {
        OrderId = orderId,
        // Not the web channel: the trace test counts the web channel's shipments.
        Channel = Channels.CallCenter,
        ChannelOrderId = "cc-" + orderId,
        PlacedAt = DateTimeOffset.UtcNow,
        Currency = "USD",
        Customer = new Customer { CustomerId = "c-1", Email = "grace@example.com", Name = "Grace" },
        ShipTo = new Address { Name = "Grace", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
        Fulfillment = new Fulfillment { Method = FulfillmentMethods.Ship },
        Lines = [new OrderLine { LineId = "1", Sku = sku, Quantity = 1, UnitPrice = 10.00m, Discount = 0m, Tax = 0m }],
        Totals = new Totals { Subtotal = 10.00m, Discount = 0m, Shipping = 0m, Tax = 0m, GrandTotal = 10.00m },
        Payment = new Payment { Provider = "stripe", Reference = "pi-" + orderId, Status = paymentStatus },
    };
}
