using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;
using Retail.Postgres.Operations;
using Retail.Postgres.Storage;

namespace Retail.Postgres.Tests.Operations;

[Collection(SharedPostgres.Name)]
public sealed class OperationsQueriesTests(PostgresFixture fixture)
{
    private static readonly IActivatorProvider Activators =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<IActivatorProvider>();

    private static readonly DateTimeOffset Now = new(2025, 6, 15, 14, 0, 0, TimeSpan.Zero);

    private readonly IOptions<ClusterOptions> cluster = PostgresFixture.UniqueCluster();

    [Fact]
    public async Task ListOrdersAsync_ByStatus_ReturnsThoseOrdersOldestFirst()
    {
        await StoreOrderAsync("o-3", "shopify", OrderStatus.Reserved, Now.AddMinutes(-10));
        await StoreOrderAsync("o-1", "pos", OrderStatus.Reserved, Now.AddMinutes(-30));
        await StoreOrderAsync("o-2", "shopify", OrderStatus.Shipped, Now.AddMinutes(-20));

        var page = await Queries().ListOrdersAsync(new OrderFilter(Status: "Reserved"));

        Assert.Equal(["o-1", "o-3"], page.Orders.Select(o => o.OrderId));
        Assert.Null(page.NextCursor);
        var first = page.Orders[0];
        Assert.Equal("pos", first.Channel);
        Assert.Equal("ch-o-1", first.ChannelOrderId);
        Assert.Equal("Reserved", first.Status);
        Assert.Equal(Now.AddMinutes(-30), first.ReceivedAt);
    }

    [Fact]
    public async Task ListOrdersAsync_ByChannelAndAge_ReturnsOnlyOldOrdersOfThatChannel()
    {
        await StoreOrderAsync("old-shopify", "shopify", OrderStatus.Reserved, Now.AddHours(-3));
        await StoreOrderAsync("new-shopify", "shopify", OrderStatus.Reserved, Now.AddMinutes(-5));
        await StoreOrderAsync("old-pos", "pos", OrderStatus.Reserved, Now.AddHours(-3));

        var page = await Queries().ListOrdersAsync(new OrderFilter(Channel: "shopify", OlderThan: TimeSpan.FromMinutes(60)));

        Assert.Equal(["old-shopify"], page.Orders.Select(o => o.OrderId));
    }

    [Fact]
    public async Task ListOrdersAsync_PagingWithTheCursor_VisitsEveryOrderOnceInOrder()
    {
        var expected = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            var orderId = $"order-{i:D2}";
            await StoreOrderAsync(orderId, "shopify", OrderStatus.Received, Now.AddMinutes(-100 + (i / 2)));
            expected.Add(orderId);
        }

        var queries = Queries();
        var seen = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await queries.ListOrdersAsync(new OrderFilter(), cursor, pageSize: 10);
            seen.AddRange(page.Orders.Select(o => o.OrderId));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(expected, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task ListOrdersAsync_ForeignCursor_IsRejected()
    {
        var queries = Queries();

        await Assert.ThrowsAsync<ArgumentException>(() => queries.ListOrdersAsync(new OrderFilter(), cursor: "not-a-cursor"));
    }

    [Fact]
    public async Task ListOrdersAsync_OrderWithEveryField_ReturnsTheFullSummary()
    {
        await StoreAsync("order", GrainId.Create("order", "full"), new OrderState
        {
            OrderId = "full",
            Channel = "shopify",
            ChannelOrderId = "#1001",
            Status = OrderStatus.Shipped,
            ReceivedAt = Now.AddHours(-5),
            UpdatedAt = Now.AddHours(-1),
            ReleasedAt = Now.AddHours(-4),
            PostingAcceptedAt = Now.AddHours(-3),
            ShippedAt = Now.AddHours(-2),
            RefundPendingAmount = 12.50m,
            HoldReason = "address check",
            GrandTotal = 149.90m,
        });

        var page = await Queries().ListOrdersAsync(new OrderFilter());

        Assert.Equal(
            new OrderSummaryRow("full", "shopify", "#1001", "Shipped", Now.AddHours(-5), Now.AddHours(-1),
                Now.AddHours(-4), Now.AddHours(-3), Now.AddHours(-2), 12.50m, "address check", 149.90m),
            Assert.Single(page.Orders));
    }

    [Fact]
    public async Task ListOrdersAsync_OrderWithoutOptionalFields_ReturnsNullsAndZeroAmounts()
    {
        await StoreOrderAsync("plain", "pos", OrderStatus.Received, Now.AddMinutes(-3));

        var order = Assert.Single((await Queries().ListOrdersAsync(new OrderFilter())).Orders);

        Assert.Null(order.ReleasedAt);
        Assert.Null(order.PostingAcceptedAt);
        Assert.Null(order.ShippedAt);
        Assert.Null(order.HoldReason);
        Assert.Equal(0m, order.RefundPendingAmount);
        Assert.Equal(0m, order.GrandTotal);
    }

    [Fact]
    public async Task ListOrdersReceivedSinceAsync_ReturnsOrdersFromThatTimeOnOldestFirst()
    {
        await StoreOrderAsync("late", "shopify", OrderStatus.Reserved, Now.AddMinutes(-5));
        await StoreOrderAsync("edge", "pos", OrderStatus.Shipped, Now.AddHours(-2));
        await StoreOrderAsync("before", "pos", OrderStatus.Shipped, Now.AddHours(-2).AddSeconds(-1));

        var orders = await Queries().ListOrdersReceivedSinceAsync(Now.AddHours(-2));

        Assert.Equal(["edge", "late"], orders.Select(o => o.OrderId));
    }

    [Fact]
    public async Task CountOrdersTodayAsync_CountsTodaysOrdersByStatusAndChannel()
    {
        await StoreOrderAsync("t-1", "shopify", OrderStatus.Reserved, Now.AddHours(-1));
        await StoreOrderAsync("t-2", "shopify", OrderStatus.Reserved, Now.AddHours(-2));
        await StoreOrderAsync("t-3", "pos", OrderStatus.Shipped, Now.AddHours(-3));
        await StoreOrderAsync("yesterday", "shopify", OrderStatus.Reserved, Now.AddDays(-1));

        var counts = await Queries().CountOrdersTodayAsync();

        Assert.Equal(
            [new OrderCountRow("Reserved", "shopify", 2), new OrderCountRow("Shipped", "pos", 1)],
            counts);
    }

    private OperationsQueries Queries() => new(fixture.DataSource, cluster.Value.ServiceId, new FixedTimeProvider(Now));

    private Task StoreOrderAsync(string orderId, string channel, OrderStatus status, DateTimeOffset receivedAt) =>
        StoreAsync("order", GrainId.Create("order", orderId), new OrderState
        {
            OrderId = orderId,
            Channel = channel,
            ChannelOrderId = "ch-" + orderId,
            Status = status,
            ReceivedAt = receivedAt,
            UpdatedAt = receivedAt.AddMinutes(1),
        });

    private async Task StoreAsync<T>(string stateName, GrainId grainId, T state)
    {
        var storage = new PostgresGrainStorage("test", fixture.DataSource, fixture.Schema(), new PostgresGrainStorageOptions(), cluster, Activators, new GrainStateWriteBatcher(fixture.DataSource), NullLogger<PostgresGrainStorage>.Instance);
        await storage.WriteStateAsync(stateName, grainId, new TestGrainState<T> { State = state });
    }

    [Fact]
    public async Task ListOrdersAsync_StoredStateFieldsRenamed_AnswersExactlyAsBefore()
    {
        await StoreOrderAsync("r-1", "shopify", OrderStatus.Reserved, Now.AddHours(-1));
        await StoreOrderAsync("r-2", "pos", OrderStatus.Shipped, Now.AddHours(-2));
        var queries = Queries();
        var listed = (await queries.ListOrdersAsync(new OrderFilter())).Orders;
        var since = await queries.ListOrdersReceivedSinceAsync(Now.AddDays(-1));
        var counts = await queries.CountOrdersTodayAsync();

        await using (var rename = fixture.DataSource.CreateCommand(
            "UPDATE retail_grain_state SET state = (SELECT jsonb_object_agg('renamed_' || key, value) FROM jsonb_each(state)) WHERE service_id = $1"))
        {
            rename.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = cluster.Value.ServiceId });
            Assert.Equal(2, await rename.ExecuteNonQueryAsync());
        }

        Assert.Equal(listed, (await queries.ListOrdersAsync(new OrderFilter())).Orders);
        Assert.Equal(since, await queries.ListOrdersReceivedSinceAsync(Now.AddDays(-1)));
        Assert.Equal(counts, await queries.CountOrdersTodayAsync());
        Assert.Equal(["r-2", "r-1"], listed.Select(o => o.OrderId));
    }

    [Fact]
    public async Task ListReturnsAuthorizedSinceAsync_ReturnsOfTheWindow_OldestFirstWithTheirTimes()
    {
        await StoreAsync("order", GrainId.Create("order", "ret"), new OrderState
        {
            OrderId = "ret",
            Channel = "shopify",
            ChannelOrderId = "#9",
            Status = OrderStatus.Completed,
            ReceivedAt = Now.AddDays(-3),
            UpdatedAt = Now,
            Returns =
            [
                new ReturnListing("ret", "late", Now.AddHours(-2), Now.AddHours(-1), null),
                new ReturnListing("ret", "early", Now.AddHours(-5), Now.AddHours(-4), Now.AddHours(-3)),
                new ReturnListing("ret", "too-old", Now.AddDays(-2), null, null),
            ],
        });

        var returns = await Queries().ListReturnsAuthorizedSinceAsync(Now.AddDays(-1));

        Assert.Equal(
            [new ReturnRow("ret", "early", Now.AddHours(-5), Now.AddHours(-4), Now.AddHours(-3)), new ReturnRow("ret", "late", Now.AddHours(-2), Now.AddHours(-1), null)],
            returns);
    }

    public sealed class OrderState : IProjectedState
    {
        public string OrderId { get; set; } = "";

        public string Channel { get; set; } = "";

        public string ChannelOrderId { get; set; } = "";

        public OrderStatus Status { get; set; }

        public DateTimeOffset ReceivedAt { get; set; }

        public DateTimeOffset UpdatedAt { get; set; }

        public DateTimeOffset? ReleasedAt { get; set; }

        public DateTimeOffset? PostingAcceptedAt { get; set; }

        public DateTimeOffset? ShippedAt { get; set; }

        public decimal RefundPendingAmount { get; set; }

        public string? HoldReason { get; set; }

        public decimal GrandTotal { get; set; }

        [System.Text.Json.Serialization.JsonIgnore]
        public List<ReturnListing> Returns { get; set; } = [];

        public IReadOnlyList<IListingRow> ListingRows() =>
        [
            new OrderListing(new OrderSummary
            {
                OrderId = OrderId,
                Channel = Channel,
                ChannelOrderId = ChannelOrderId,
                Status = Status,
                ReceivedAt = ReceivedAt,
                UpdatedAt = UpdatedAt,
                ReleasedAt = ReleasedAt,
                PostingAcceptedAt = PostingAcceptedAt,
                ShippedAt = ShippedAt,
                RefundPendingAmount = RefundPendingAmount,
                HoldReason = HoldReason,
                GrandTotal = GrandTotal,
            }),
            .. Returns,
        ];
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
