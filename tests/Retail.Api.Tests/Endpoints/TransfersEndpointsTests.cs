using System.Net;
using System.Net.Http.Json;
using Retail.Api.Security;

namespace Retail.Api.Tests.Endpoints;

[Collection(ApiCollection.Name)]
public sealed class TransfersEndpointsTests(ApiFactory api)
{
    [Fact]
    public async Task Post_BetweenRegisteredLocations_CreatesARequestedTransfer()
    {
        using var client = api.ClientWith(Scopes.InventoryRead, Scopes.InventoryWrite);
        var (from, to) = await LocationsAsync(client);

        var created = await client.PostAsJsonAsync("/api/v1/transfers", new { fromLocationId = from, toLocationId = to, lines = new[] { new { sku = "SKU-T1", quantity = 3 } } });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var transferId = (await created.JsonAsync()).GetProperty("transferId").GetString()!;
        Assert.Equal($"/api/v1/transfers/{transferId}", created.Headers.Location!.OriginalString);
        var transfer = await (await client.GetAsync($"/api/v1/transfers/{transferId}")).JsonAsync();
        Assert.Equal("Requested", transfer.GetProperty("status").GetString());
        Assert.Equal(from, transfer.GetProperty("fromLocationId").GetString());
        Assert.Equal(3, transfer.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
    }

    [Fact]
    public async Task Post_WithAnUnknownLocation_IsRefusedWithItsCode()
    {
        using var client = api.ClientWith(Scopes.InventoryWrite);
        var (from, _) = await LocationsAsync(client);

        var refused = await client.PostAsJsonAsync("/api/v1/transfers", new { fromLocationId = from, toLocationId = "nowhere", lines = new[] { new { sku = "SKU-T1", quantity = 3 } } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.JsonAsync();
        Assert.Equal("retail.location.not-found", problem.GetProperty("code").GetString());
        Assert.Contains("nowhere", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_WithANegativeQuantityOrTheSameLocationTwice_AnswersTheFieldErrors()
    {
        using var client = api.ClientWith(Scopes.InventoryWrite);
        var (from, to) = await LocationsAsync(client);

        var negative = await client.PostAsJsonAsync("/api/v1/transfers", new { fromLocationId = from, toLocationId = to, lines = new[] { new { sku = "SKU-T1", quantity = -2 } } });
        var same = await client.PostAsJsonAsync("/api/v1/transfers", new { fromLocationId = from, toLocationId = from, lines = new[] { new { sku = "SKU-T1", quantity = 2 } } });

        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        var problem = await negative.JsonAsync();
        Assert.Equal("retail.validation.failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("lines[0].quantity", out _));
        Assert.Equal(HttpStatusCode.BadRequest, same.StatusCode);
        Assert.True((await same.JsonAsync()).GetProperty("errors").TryGetProperty("toLocationId", out _));
    }

    [Fact]
    public async Task Post_WithoutTheWriteScope_IsForbidden()
    {
        using var client = api.ClientWith(Scopes.InventoryRead);

        var response = await client.PostAsJsonAsync("/api/v1/transfers", new { fromLocationId = "a", toLocationId = "b", lines = new[] { new { sku = "S", quantity = 1 } } });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Get_UnknownTransfer_IsNotFound()
    {
        using var client = api.ClientWith(Scopes.InventoryRead);

        var response = await client.GetAsync("/api/v1/transfers/tr-missing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("retail.transfer.not-found", (await response.JsonAsync()).GetProperty("code").GetString());
    }

    private static async Task<(string From, string To)> LocationsAsync(HttpClient client)
    {
        var from = "dc-" + Guid.NewGuid().ToString("N")[..8];
        var to = "store-" + Guid.NewGuid().ToString("N")[..8];
        foreach (var (id, type) in new[] { (from, "warehouse"), (to, "store") })
        {
            var put = await client.PutAsJsonAsync($"/api/v1/locations/{id}", new { name = id, type, priority = 5 });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        return (from, to);
    }
}
