using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Retail.Api.Security;

namespace Retail.Api.Tests.Endpoints;

[Collection(ApiCollection.Name)]
public sealed class ExceptionsEndpointsTests(ApiFactory api)
{
    /// <summary>An order for a SKU nobody stocks is held with an UnknownSku exception; answers that record.</summary>
    internal static async Task<JsonElement> RaiseExceptionAsync(HttpClient client)
    {
        var orderId = (await (await client.PostJsonAsync("/api/v1/orders", TestOrders.Order())).JsonAsync()).GetProperty("orderId").GetString();
        var found = await TestOrders.EventuallyAsync(
            async () => (await ListAllAsync(client, "/api/v1/exceptions?kind=UnknownSku&limit=200")).Where(record => record.GetProperty("businessKey").GetString() == orderId).ToList(),
            records => records.Count > 0);
        return Assert.Single(found);
    }

    internal static async Task<List<JsonElement>> ListAllAsync(HttpClient client, string path)
    {
        var records = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync(path + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).JsonAsync();
            records.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
        return records;
    }

    /// <summary>Three orders of a SKU with one unit in stock: three Backordered records of one cause (the SKU).</summary>
    internal static async Task<string> BackorderThreeAsync(HttpClient client)
    {
        var sku = "SKU-GROUP-" + Guid.NewGuid().ToString("N")[..8];
        (await client.PutAsJsonAsync($"/api/v1/inventory/{sku}/DC-1", new { onHand = 1, safetyStock = 0 })).EnsureSuccessStatusCode();
        for (var i = 0; i < 3; i++)
        {
            (await client.PostJsonAsync("/api/v1/orders", TestOrders.Order(sku))).EnsureSuccessStatusCode();
        }
        await TestOrders.EventuallyAsync(
            async () => await GroupAsync(client, "Backordered", sku),
            group => group is { } found && found.GetProperty("count").GetInt32() == 3);
        return sku;
    }

    internal static async Task<JsonElement?> GroupAsync(HttpClient client, string kind, string root)
    {
        var groups = await (await client.GetAsync("/api/v1/exceptions/groups")).JsonAsync();
        foreach (var group in groups.GetProperty("items").EnumerateArray())
        {
            if (group.GetProperty("kind").GetString() == kind && group.GetProperty("root").GetString() == root)
            {
                return group;
            }
        }
        return null;
    }

    [Fact]
    public async Task Groups_ThreeBackordersOfOneSku_AreOneCauseWithCountOldestAndNewest()
    {
        using var client = api.ClientWith(Scopes.OrdersWrite, Scopes.OrdersRead, Scopes.InventoryWrite, Scopes.Ops);
        var sku = await BackorderThreeAsync(client);

        var group = (await GroupAsync(client, "Backordered", sku))!.Value;
        var records = await ListAllAsync(client, $"/api/v1/exceptions?kind=Backordered&root={Uri.EscapeDataString(sku)}&limit=2");

        Assert.Equal(3, group.GetProperty("count").GetInt32());
        Assert.Equal(3, records.Count);
        Assert.Equal(records[0].GetProperty("createdAt").GetDateTimeOffset(), group.GetProperty("oldestCreatedAt").GetDateTimeOffset());
        Assert.Equal(records[^1].GetProperty("createdAt").GetDateTimeOffset(), group.GetProperty("newestCreatedAt").GetDateTimeOffset());
        Assert.True(group.GetProperty("oldestAgeSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task RetryGroup_ThenResolveGroup_ActsOnEveryRecordOldestFirstAndEmptiesTheCause()
    {
        using var client = api.ClientWith(Scopes.OrdersWrite, Scopes.OrdersRead, Scopes.InventoryWrite, Scopes.Ops);
        var sku = await BackorderThreeAsync(client);
        var before = await ListAllAsync(client, $"/api/v1/exceptions?kind=Backordered&root={Uri.EscapeDataString(sku)}&limit=200");

        var retried = await (await client.PostJsonAsync("/api/v1/exceptions/groups/retry", new { kind = "Backordered", root = sku })).JsonAsync();
        var resolved = await (await client.PostJsonAsync("/api/v1/exceptions/groups/resolve", new { kind = "Backordered", root = sku, resolution = "supplier delayed; customers told" })).JsonAsync();

        var done = retried.GetProperty("done").EnumerateArray().ToList();
        Assert.Equal(before.Select(r => r.GetProperty("id").GetString()), done.Select(r => r.GetProperty("id").GetString()));
        Assert.All(done.Zip(before), pair => Assert.True(pair.First.GetProperty("attempts").GetInt32() > pair.Second.GetProperty("attempts").GetInt32()));
        Assert.Empty(retried.GetProperty("failed").EnumerateArray());
        Assert.All(resolved.GetProperty("done").EnumerateArray(), r => Assert.Equal("Resolved", r.GetProperty("status").GetString()));
        Assert.Equal(3, resolved.GetProperty("done").GetArrayLength());
        Assert.Null(await GroupAsync(client, "Backordered", sku));
    }

    [Fact]
    public async Task RetryGroup_WithoutOpsScope_Answers403()
    {
        using var client = api.ClientWith(Scopes.OrdersRead);

        var response = await client.PostJsonAsync("/api/v1/exceptions/groups/retry", new { kind = "Backordered", root = "SKU-1" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task List_AfterAHold_ShowsItsOpenRecordOldestFirst()
    {
        using var client = api.ClientWith();
        var record = await RaiseExceptionAsync(client);

        var open = await ListAllAsync(client, "/api/v1/exceptions?status=open&limit=200");

        Assert.Contains(open, item => item.GetProperty("id").GetString() == record.GetProperty("id").GetString());
        var created = open.Select(item => item.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(created.Order().ToList(), created);
    }

    [Fact]
    public async Task Retry_OpenRecord_CountsAnAttempt()
    {
        using var client = api.ClientWith();
        var record = await RaiseExceptionAsync(client);

        var response = await client.PostJsonAsync($"/api/v1/exceptions/{record.GetProperty("id").GetString()}/retry", new { });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("attempts").GetInt32() > record.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Resolve_OpenRecord_ClosesIt()
    {
        using var client = api.ClientWith();
        var record = await RaiseExceptionAsync(client);
        var id = record.GetProperty("id").GetString();

        var response = await client.PostJsonAsync($"/api/v1/exceptions/{id}/resolve", new { resolution = "SKU created in the ERP" });
        var open = await ListAllAsync(client, "/api/v1/exceptions?status=open&limit=200");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Resolved", (await response.JsonAsync()).GetProperty("status").GetString());
        Assert.DoesNotContain(open, item => item.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Resolve_WithoutResolution_Answers400()
    {
        using var client = api.ClientWith();

        var response = await client.PostJsonAsync("/api/v1/exceptions/any-id/resolve", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("resolution", out _));
    }

    [Fact]
    public async Task Retry_UnknownRecord_Answers404()
    {
        using var client = api.ClientWith();

        var response = await client.PostJsonAsync($"/api/v1/exceptions/missing-{Guid.NewGuid():N}/retry", new { });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("retail.exception.not-found", (await response.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Retry_WithOrdersReadOnly_Answers403()
    {
        using var client = api.ClientWith(Scopes.OrdersRead);

        var response = await client.PostJsonAsync("/api/v1/exceptions/any-id/retry", new { });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task List_PagedByTwo_VisitsEveryRecordOnce()
    {
        using var client = api.ClientWith();
        for (var index = 0; index < 5; index++)
        {
            await RaiseExceptionAsync(client);
        }

        var pages = 0;
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync("/api/v1/exceptions?status=all&limit=2" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null && pages < 500);

        Assert.True(pages >= 3, $"{pages} pages");
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task List_CursorFromOtherFilters_Answers400()
    {
        using var client = api.ClientWith();
        for (var index = 0; index < 2; index++)
        {
            await RaiseExceptionAsync(client);
        }
        var page = await (await client.GetAsync("/api/v1/exceptions?status=all&limit=1")).JsonAsync();
        var cursor = page.GetProperty("nextCursor").GetString();

        var response = await client.GetAsync($"/api/v1/exceptions?status=open&limit=1&cursor={Uri.EscapeDataString(cursor!)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("cursor", out _));
    }
}
