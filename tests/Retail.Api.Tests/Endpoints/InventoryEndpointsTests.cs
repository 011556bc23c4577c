using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Retail.Api.Security;
using Retail.Contracts.Erp;
using Retail.Contracts.Transfers;

namespace Retail.Api.Tests.Endpoints;

[Collection(ApiCollection.Name)]
public sealed class InventoryEndpointsTests(ApiFactory api)
{
    [Fact]
    public async Task Put_ThenGet_AnswersThePosition()
    {
        using var client = api.ClientWith(Scopes.InventoryRead, Scopes.InventoryWrite);
        var sku = "SKU-" + Guid.NewGuid().ToString("N")[..8];

        var put = await client.PutAsJsonAsync($"/api/v1/inventory/{sku}/DC-1", new { onHand = 12, safetyStock = 2 });
        var get = await client.GetAsync($"/api/v1/inventory/{sku}/DC-1");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var position = await get.JsonAsync();
        Assert.Equal(12, position.GetProperty("onHand").GetInt32());
        Assert.Equal(2, position.GetProperty("safetyStock").GetInt32());
        Assert.Equal(10, position.GetProperty("available").GetInt32());
    }

    [Fact]
    public async Task GetAvailability_AfterStockAtTwoLocations_SumsThem()
    {
        using var client = api.ClientWith(Scopes.InventoryRead, Scopes.InventoryWrite);
        var sku = "SKU-" + Guid.NewGuid().ToString("N")[..8];
        await client.PutAsJsonAsync($"/api/v1/inventory/{sku}/DC-1", new { onHand = 5, safetyStock = 0 });
        await client.PutAsJsonAsync($"/api/v1/inventory/{sku}/STORE-1", new { onHand = 3, safetyStock = 1 });

        var availability = await TestOrders.EventuallyAsync(
            async () => await (await client.GetAsync($"/api/v1/availability/{sku}")).JsonAsync(),
            body => body.GetProperty("locations").GetArrayLength() == 2);

        Assert.Equal(sku, availability.GetProperty("sku").GetString());
        Assert.Equal(7, availability.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task GetAvailability_WithAQuantity_AnswersTheInboundSupplyAndWhenItCanBePromised()
    {
        using var client = api.ClientWith(Scopes.InventoryRead, Scopes.InventoryWrite);
        var sku = "SKU-" + Guid.NewGuid().ToString("N")[..8];
        var warehouse = "dc-" + Guid.NewGuid().ToString("N")[..8];
        var expectedAt = new DateTimeOffset(2030, 1, 7, 8, 0, 0, TimeSpan.Zero);
        await client.PutAsJsonAsync($"/api/v1/locations/{warehouse}", new { name = warehouse, type = "warehouse", priority = 1 });
        await client.PutAsJsonAsync($"/api/v1/inventory/{sku}/{warehouse}", new { onHand = 2, safetyStock = 0 });
        var poId = "PO-" + Guid.NewGuid().ToString("N")[..8];
        await api.Services.GetRequiredService<IClusterClient>().GetGrain<IPurchaseOrderGrain>(poId).ConfirmAsync(new PurchaseOrderConfirmed
        {
            PoId = poId,
            LocationId = warehouse,
            Lines = [new PurchaseOrderLine { Sku = sku, Quantity = 10, ExpectedAt = expectedAt }],
        });

        var later = await TestOrders.EventuallyAsync(
            async () => await (await client.GetAsync($"/api/v1/availability/{sku}?quantity=5")).JsonAsync(),
            body => body.GetProperty("inbound").GetArrayLength() == 1);
        var now = await (await client.GetAsync($"/api/v1/availability/{sku}?quantity=2")).JsonAsync();
        var never = await (await client.GetAsync($"/api/v1/availability/{sku}?quantity=50")).JsonAsync();
        var invalid = await client.GetAsync($"/api/v1/availability/{sku}?quantity=0");

        var inbound = later.GetProperty("inbound")[0];
        Assert.Equal((warehouse, 10, $"po:{poId}"), (inbound.GetProperty("locationId").GetString(), inbound.GetProperty("quantity").GetInt32(), inbound.GetProperty("reference").GetString()));
        Assert.Equal(expectedAt, later.GetProperty("promise").GetProperty("availableFrom").GetDateTimeOffset());
        Assert.Equal(warehouse, later.GetProperty("promise").GetProperty("locationId").GetString());
        Assert.True(now.GetProperty("promise").GetProperty("availableFrom").GetDateTimeOffset() < expectedAt);
        Assert.True(!never.TryGetProperty("promise", out var none) || none.ValueKind == System.Text.Json.JsonValueKind.Null, "no promise for more than all supply");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task OrderWithShopifyStyleSku_IsTakenInAndItsPositionIsAddressableEncoded()
    {
        using var client = api.ClientWith(Scopes.InventoryRead, Scopes.InventoryWrite, Scopes.OrdersWrite);
        var sku = $"TEE/BLK M {Guid.NewGuid():N}";
        var path = Uri.EscapeDataString(sku);
        var put = await client.PutAsJsonAsync($"/api/v1/inventory/{path}/DC-1", new { onHand = 4, safetyStock = 0 });

        var created = await client.PostJsonAsync("/api/v1/orders", TestOrders.Order(sku));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var position = await TestOrders.EventuallyAsync(
            async () => await (await client.GetAsync($"/api/v1/inventory/{path}/DC-1")).JsonAsync(),
            body => body.GetProperty("reserved").GetInt32() > 0);
        Assert.Equal(sku, position.GetProperty("sku").GetString());
        Assert.True(position.GetProperty("reserved").GetInt32() > 0);
    }

    [Fact]
    public async Task Get_UnknownPosition_Answers404()
    {
        using var client = api.ClientWith(Scopes.InventoryRead);

        var response = await client.GetAsync($"/api/v1/inventory/SKU-{Guid.NewGuid():N}/DC-1");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("retail.inventory.not-found", (await response.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Put_NegativeOrMissingQuantities_Answers400WithFieldErrors()
    {
        using var client = api.ClientWith(Scopes.InventoryWrite);

        var response = await client.PutAsJsonAsync("/api/v1/inventory/SKU-1/DC@1", new { onHand = -1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("onHand", out _));
        Assert.True(errors.TryGetProperty("safetyStock", out _));
        Assert.True(errors.TryGetProperty("locationId", out _));
    }
}
