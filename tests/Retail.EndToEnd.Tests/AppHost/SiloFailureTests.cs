using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;

namespace Retail.EndToEnd.Tests.AppHost;

[Collection(DistributedAppCollection.Name)]
public sealed class SiloFailureTests(DistributedAppFixture fixture)
{
    private const int Orders = 30;
    private const int KillAfter = 8;
    private static readonly TimeSpan RetryBudget = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task SiloReplicaKilled_MidTraffic_NoOrderLostOrDoubled()
    {
        using var api = fixture.Api();
        var location = "WH-KILL-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var sku = "KILL-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        await SucceedAsync(() => api.PutAsJsonAsync($"api/v1/locations/{location}", new { name = "Kill test", type = "warehouse", priority = 1, region = "US-East" }));
        await SucceedAsync(() => api.PutAsJsonAsync($"api/v1/inventory/{sku}/{location}", new { onHand = 100, safetyStock = 0 }));
        var replica = await SiloReplicaProcessAsync();

        var placed = new List<Task<string>>();
        for (var index = 0; index < Orders; index++)
        {
            if (index == KillAfter)
            {
                replica.Kill(entireProcessTree: true);
            }
            placed.Add(PlaceUntilAcceptedAsync(api, sku, $"KILL-{Guid.NewGuid():N}"[..20]));
            await Task.Delay(150);
        }
        var orderIds = await Task.WhenAll(placed);

        Assert.True(replica.HasExited, "The silo replica was not killed.");
        Assert.Equal(Orders, orderIds.Distinct(StringComparer.Ordinal).Count());
        foreach (var orderId in orderIds)
        {
            var order = await api.GetFromJsonAsync<OrderView>($"api/v1/orders/{orderId}", RetailJson.Options);
            Assert.Equal(1, Assert.Single(order!.Lines).Reserved);
        }
        var position = await api.GetFromJsonAsync<InventoryPosition>($"api/v1/inventory/{sku}/{location}", RetailJson.Options);
        Assert.Equal(Orders, position!.Reserved);
        Assert.Equal(100, position.OnHand);
    }

    /// <summary>One order of one unit, sent again with the same channel order id until it is accepted (a client's retry).</summary>
    private static async Task<string> PlaceUntilAcceptedAsync(HttpClient api, string sku, string channelOrderId)
    {
        var order = new CanonicalOrder
        {
            Channel = Channels.Web,
            ChannelOrderId = channelOrderId,
            PlacedAt = DateTimeOffset.UtcNow,
            Currency = "USD",
            Customer = new Customer { CustomerId = "c-kill", Email = "kill@example.com", Name = "Kill Test" },
            ShipTo = new Address { Name = "Kill Test", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
            Lines = [new OrderLine { LineId = "1", Sku = sku, Quantity = 1, UnitPrice = 10.00m, Tax = 0.80m }],
            Totals = new Totals { Subtotal = 10.00m, Shipping = 0, Tax = 0.80m, GrandTotal = 10.80m },
            Payment = new Payment { Provider = "stripe", Reference = "pi_" + channelOrderId, Status = PaymentStatuses.Pending },
        };
        var deadline = DateTime.UtcNow + RetryBudget;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await api.PostAsJsonAsync("api/v1/orders", order, RetailJson.Options);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.IsSuccessStatusCode)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    var orderId = body.RootElement.GetProperty("orderId").GetString()!;
                    if (body.RootElement.TryGetProperty("status", out var status) && status.GetString() == nameof(OrderStatus.Reserved))
                    {
                        return orderId;
                    }
                    return await WaitForReservedAsync(api, orderId, deadline);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                last = exception.Message;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"Order {channelOrderId} was not accepted within {RetryBudget}; last answer: {last}");
    }

    private static async Task<string> WaitForReservedAsync(HttpClient api, string orderId, DateTime deadline)
    {
        while (DateTime.UtcNow < deadline)
        {
            var order = await api.GetFromJsonAsync<OrderView>($"api/v1/orders/{orderId}", RetailJson.Options);
            if (order?.Status == OrderStatus.Reserved)
            {
                return orderId;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"Order {orderId} was not reserved in time.");
    }

    private static async Task SucceedAsync(Func<Task<HttpResponseMessage>> send)
    {
        using var response = await send();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The process of one of the two silo replicas, as the AppHost's resource snapshot gives its pid.</summary>
    private async Task<Process> SiloReplicaProcessAsync()
    {
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await foreach (var update in fixture.App.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (update.Resource.Name == "silo"
                && update.Snapshot.Properties.FirstOrDefault(property => property.Name == "executable.pid")?.Value is { } pid)
            {
                pids[update.ResourceId] = Convert.ToInt32(pid, CultureInfo.InvariantCulture);
                if (pids.Count == 2)
                {
                    return Process.GetProcessById(pids.Values.Last());
                }
            }
        }
        throw new InvalidOperationException("No pid for the silo replica.");
    }
}
