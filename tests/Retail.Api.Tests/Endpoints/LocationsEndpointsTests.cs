using System.Net;
using System.Net.Http.Json;
using Retail.Api.Security;

namespace Retail.Api.Tests.Endpoints;

[Collection(ApiCollection.Name)]
public sealed class LocationsEndpointsTests(ApiFactory api)
{
    [Fact]
    public async Task Put_ThenList_ShowsTheLocation()
    {
        using var client = api.ClientWith(Scopes.InventoryRead, Scopes.InventoryWrite);
        var id = "LOC-" + Guid.NewGuid().ToString("N")[..8];

        var put = await client.PutAsJsonAsync($"/api/v1/locations/{id}", new { name = "North DC", type = "warehouse", priority = 1, region = "IL" });
        var all = await (await client.GetAsync("/api/v1/locations")).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var saved = all.EnumerateArray().Single(location => location.GetProperty("locationId").GetString() == id);
        Assert.Equal("warehouse", saved.GetProperty("type").GetString());
        Assert.Equal("North DC", saved.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Put_UnknownType_Answers400()
    {
        using var client = api.ClientWith(Scopes.InventoryWrite);

        var response = await client.PutAsJsonAsync("/api/v1/locations/LOC-X", new { name = "X", type = "boat", priority = 1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("type", out _));
    }
}
