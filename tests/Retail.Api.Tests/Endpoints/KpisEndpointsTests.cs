using System.Net;
using Retail.Api.Security;

namespace Retail.Api.Tests.Endpoints;

[Collection(ApiCollection.Name)]
public sealed class KpisEndpointsTests(ApiFactory api)
{
    [Fact]
    public async Task Get_AfterOrdersToday_CountsThemByChannelAndStatus()
    {
        using var client = api.ClientWith();
        await client.PostJsonAsync("/api/v1/orders", TestOrders.Order(channel: "marketplace"));
        await client.PostJsonAsync("/api/v1/orders", TestOrders.Order(channel: "marketplace"));

        var kpis = await TestOrders.EventuallyAsync(
            async () => await (await client.GetAsync("/api/v1/kpis")).JsonAsync(),
            body => body.GetProperty("orders").GetProperty("byChannel").TryGetProperty("marketplace", out var count) && count.GetInt32() >= 2);

        var orders = kpis.GetProperty("orders");
        Assert.True(orders.GetProperty("byChannel").GetProperty("marketplace").GetInt32() >= 2);
        Assert.Equal(orders.GetProperty("total").GetInt32(), orders.GetProperty("byStatus").EnumerateObject().Sum(status => status.Value.GetInt32()));
        Assert.InRange(kpis.GetProperty("falloutRate").GetDouble(), 0, 1);
        Assert.True(kpis.GetProperty("exceptions").GetProperty("count").GetInt32() >= 0);
    }

    [Fact]
    public async Task Get_WithOrdersReadScope_IsAllowed()
    {
        using var client = api.ClientWith(Scopes.OrdersRead);

        var response = await client.GetAsync("/api/v1/kpis");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_WithInventoryScopeOnly_Answers403()
    {
        using var client = api.ClientWith(Scopes.InventoryRead);

        var response = await client.GetAsync("/api/v1/kpis");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
