using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

[Collection(ClusterCollection.Name)]
public sealed class OrderDirectoryGrainTests(ClusterFixture fixture)
{
    private IOrderDirectoryGrain Directory => fixture.Grains.GetGrain<IOrderDirectoryGrain>(IOrderDirectoryGrain.Key);

    [Fact]
    public async Task List_PagesOldestFirstWithACursorAndFilters()
    {
        var channel = Channels.B2B;
        var start = DateTimeOffset.UtcNow.AddDays(-30).AddMinutes(Random.Shared.Next(0, 100_000));
        var tag = Guid.NewGuid().ToString("N");
        var summaries = Enumerable.Range(0, 7).Select(i => new OrderSummary
        {
            OrderId = $"{tag}-{i}",
            Channel = channel,
            ChannelOrderId = $"c-{i}",
            Status = i % 2 == 0 ? OrderStatus.Backordered : OrderStatus.Released,
            ReceivedAt = start.AddSeconds(i),
            UpdatedAt = start.AddSeconds(i),
        }).ToList();
        foreach (var summary in summaries.AsEnumerable().Reverse())
        {
            await Directory.RecordAsync(summary);
        }

        var mine = await OrderScenario.EventuallyAsync(
            () => CollectAsync(new OrderListQuery { Channel = channel, Status = OrderStatus.Backordered, Limit = 2 }, tag),
            found => found.Count == 4);

        Assert.Equal([$"{tag}-0", $"{tag}-2", $"{tag}-4", $"{tag}-6"], mine.Select(s => s.OrderId));
    }

    [Fact]
    public async Task Record_SameOrderAgain_ReplacesItsSummary()
    {
        var orderId = Guid.NewGuid().ToString("N");
        var receivedAt = DateTimeOffset.UtcNow.AddYears(-1);
        await Directory.RecordAsync(new OrderSummary { OrderId = orderId, Status = OrderStatus.Reserved, ReceivedAt = receivedAt, UpdatedAt = receivedAt });

        await Directory.RecordAsync(new OrderSummary { OrderId = orderId, Status = OrderStatus.Released, ReceivedAt = receivedAt, UpdatedAt = receivedAt.AddMinutes(1) });
        await Directory.RecordAsync(new OrderSummary { OrderId = orderId, Status = OrderStatus.Reserved, ReceivedAt = receivedAt, UpdatedAt = receivedAt.AddSeconds(30) });

        var since = await OrderScenario.EventuallyAsync(
            () => Directory.ReceivedSinceAsync(receivedAt),
            found => found.Any(s => s.OrderId == orderId && s.Status == OrderStatus.Released));
        Assert.Equal(OrderStatus.Released, Assert.Single(since, s => s.OrderId == orderId).Status);
    }

    [Fact]
    public async Task List_OlderThanMinutes_LeavesOutRecentOrders()
    {
        var old = new OrderSummary { OrderId = Guid.NewGuid().ToString("N"), ReceivedAt = DateTimeOffset.UtcNow.AddHours(-2), UpdatedAt = DateTimeOffset.UtcNow };
        var recent = new OrderSummary { OrderId = Guid.NewGuid().ToString("N"), ReceivedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
        await Directory.RecordAsync(old);
        await Directory.RecordAsync(recent);
        await OrderScenario.EventuallyAsync(
            () => Directory.ReceivedSinceAsync(old.ReceivedAt),
            found => found.Any(s => s.OrderId == old.OrderId) && found.Any(s => s.OrderId == recent.OrderId));

        var all = await CollectAsync(new OrderListQuery { OlderThanMinutes = 60, Limit = 500 }, tag: null);

        Assert.Contains(all, s => s.OrderId == old.OrderId);
        Assert.DoesNotContain(all, s => s.OrderId == recent.OrderId);
    }

    [Fact]
    public async Task List_WithAForeignCursor_IsRejected()
    {
        var error = await Assert.ThrowsAsync<RetailValidationException>(() => Directory.ListAsync(new OrderListQuery { Cursor = "not-a-cursor" }));

        Assert.Contains("cursor", error.Errors.Keys);
    }

    private async Task<List<OrderSummary>> CollectAsync(OrderListQuery query, string? tag)
    {
        var found = new List<OrderSummary>();
        var page = await Directory.ListAsync(query);
        while (true)
        {
            Assert.True(page.Items.Count <= query.Limit);
            found.AddRange(page.Items.Where(s => tag is null || s.OrderId.StartsWith(tag, StringComparison.Ordinal)));
            if (page.NextCursor is null)
            {
                return found;
            }
            page = await Directory.ListAsync(query with { Cursor = page.NextCursor });
        }
    }
}
