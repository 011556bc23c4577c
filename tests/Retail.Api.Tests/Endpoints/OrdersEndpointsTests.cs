using System.Net;
using System.Text.Json;
using Retail.Api.Security;

namespace Retail.Api.Tests.Endpoints;

[Collection(ApiCollection.Name)]
public sealed class OrdersEndpointsTests(ApiFactory api)
{
    [Fact]
    public async Task Submit_NewOrder_Answers201WithIdStatusAndLocation()
    {
        using var client = api.ClientWith();

        var response = await client.PostJsonAsync("/api/v1/orders", TestOrders.Order());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        var orderId = body.GetProperty("orderId").GetString()!;
        Assert.Equal(32, orderId.Length);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("status").GetString()));
        Assert.Equal($"/api/v1/orders/{orderId}", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Submit_SameChannelOrderIdAgain_Answers200WithTheSameOrder()
    {
        using var client = api.ClientWith();
        var order = TestOrders.Order();
        var first = await (await client.PostJsonAsync("/api/v1/orders", order)).JsonAsync();

        var repeat = await client.PostJsonAsync("/api/v1/orders", order);

        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(first.GetProperty("orderId").GetString(), (await repeat.JsonAsync()).GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task Submit_InvalidOrder_Answers400WithFieldErrors()
    {
        using var client = api.ClientWith();
        var order = TestOrders.Order();
        order["channel"] = "fax";
        order["currency"] = "usd";
        order["lines"] = new[] { new { lineId = "1", sku = "A", quantity = 0, unitPrice = -1m } };

        var response = await client.PostJsonAsync("/api/v1/orders", order);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("retail.validation.failed", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "channel", "currency", "lines[0].quantity", "lines[0].unitPrice" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
    }

    [Fact]
    public async Task Submit_WithoutOrdersWriteScope_Answers403()
    {
        using var client = api.ClientWith(Scopes.OrdersRead);

        var response = await client.PostJsonAsync("/api/v1/orders", TestOrders.Order());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyTwice_ReplaysTheFirstResponseWithoutExecuting()
    {
        using var client = api.ClientWith();
        var key = Guid.NewGuid().ToString();
        var order = TestOrders.Order();
        var first = await client.PostJsonAsync("/api/v1/orders", order, key);
        var firstBody = await first.Content.ReadAsStringAsync();

        var second = await client.PostJsonAsync("/api/v1/orders", order, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(firstBody, await second.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyOtherBody_Answers422Conflict()
    {
        using var client = api.ClientWith();
        var key = Guid.NewGuid().ToString();
        await client.PostJsonAsync("/api/v1/orders", TestOrders.Order(), key);

        var response = await client.PostJsonAsync("/api/v1/orders", TestOrders.Order(), key);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("retail.idempotency.conflict", (await response.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Submit_SameIdempotencyKeyFromAnotherClient_IsIndependent()
    {
        using var first = api.ClientWith();
        using var other = api.CreateClient();
        other.DefaultRequestHeaders.Authorization = new("Bearer", api.Token(Scopes.All, subject: "another-client"));
        var key = Guid.NewGuid().ToString();
        await first.PostJsonAsync("/api/v1/orders", TestOrders.Order(), key);

        var response = await other.PostJsonAsync("/api/v1/orders", TestOrders.Order(), key);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Get_ExistingOrder_AnswersLinesAndTimeline()
    {
        using var client = api.ClientWith();
        var created = await (await client.PostJsonAsync("/api/v1/orders", TestOrders.Order())).JsonAsync();
        var orderId = created.GetProperty("orderId").GetString();

        var response = await client.GetAsync($"/api/v1/orders/{orderId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var order = await response.JsonAsync();
        Assert.Equal(orderId, order.GetProperty("orderId").GetString());
        Assert.Equal(2, order.GetProperty("lines")[0].GetProperty("ordered").GetInt32());
        Assert.True(order.GetProperty("timeline").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Get_UnknownOrder_Answers404()
    {
        using var client = api.ClientWith();

        var response = await client.GetAsync("/api/v1/orders/no-such-order-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("retail.order.not-found", (await response.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Get_InvalidOrderId_Answers400NamingIt()
    {
        using var client = api.ClientWith();

        var response = await client.GetAsync("/api/v1/orders/bad%20id!");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("orderId", out _));
    }

    [Fact]
    public async Task Cancel_OpenOrder_CancelsItAndASecondCancelAnswers409()
    {
        using var client = api.ClientWith();
        var orderId = (await (await client.PostJsonAsync("/api/v1/orders", TestOrders.Order())).JsonAsync()).GetProperty("orderId").GetString();

        var cancelled = await client.PostJsonAsync($"/api/v1/orders/{orderId}/cancel", new { reason = "customer asked" });
        var again = await client.PostJsonAsync($"/api/v1/orders/{orderId}/cancel", new { reason = "customer asked twice" });

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal("Cancelled", (await cancelled.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("retail.order.invalid-transition", (await again.JsonAsync()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Cancel_WithoutReason_Answers400()
    {
        using var client = api.ClientWith();

        var response = await client.PostJsonAsync("/api/v1/orders/some-order/cancel", new { lines = new[] { new { lineId = "1", quantity = 0 } } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("reason", out _));
        Assert.True(errors.TryGetProperty("lines[0].quantity", out _));
    }

    [Fact]
    public async Task Return_OfUnshippedOrder_Answers409()
    {
        using var client = api.ClientWith();
        var orderId = (await (await client.PostJsonAsync("/api/v1/orders", TestOrders.Order())).JsonAsync()).GetProperty("orderId").GetString();

        var response = await client.PostJsonAsync($"/api/v1/orders/{orderId}/returns", new { reason = "too small", lines = new[] { new { lineId = "1", quantity = 1 } } });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Return_OfUnknownOrder_Answers404()
    {
        using var client = api.ClientWith();

        var response = await client.PostJsonAsync("/api/v1/orders/no-such-order/returns", new { reason = "too small", lines = new[] { new { lineId = "1", quantity = 1 } } });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task List_PagedByThree_VisitsEveryOrderOnce()
    {
        using var client = api.ClientWith();
        var created = new HashSet<string>();
        for (var index = 0; index < 7; index++)
        {
            created.Add((await (await client.PostJsonAsync("/api/v1/orders", TestOrders.Order(channel: "b2b"))).JsonAsync()).GetProperty("orderId").GetString()!);
        }

        async Task<(List<string> Seen, int Pages)> PageAllAsync()
        {
            var seen = new List<string>();
            var pages = 0;
            string? cursor = null;
            do
            {
                var page = await (await client.GetAsync($"/api/v1/orders?channel=b2b&limit=3{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}")).JsonAsync();
                seen.AddRange(page.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("orderId").GetString()!));
                cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
                pages++;
            }
            while (cursor is not null && pages < 100);
            return (seen, pages);
        }

        var (seen, pages) = await TestOrders.EventuallyAsync(PageAllAsync, result => created.IsSubsetOf(result.Seen));

        Assert.True(pages >= 3, $"{pages} pages");
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), created);
    }

    [Fact]
    public async Task List_WithBadFilters_Answers400ForEach()
    {
        using var client = api.ClientWith();

        var response = await client.GetAsync("/api/v1/orders?status=Lost&channel=fax&limit=0&olderThanMinutes=-1&cursor=nonsense");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "status", "channel", "limit", "olderThanMinutes", "cursor" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
    }

    [Fact]
    public async Task List_WithNonNumericLimit_Answers400NamingIt()
    {
        using var client = api.ClientWith();

        var response = await client.GetAsync("/api/v1/orders?limit=many");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("limit", out _));
    }
}
