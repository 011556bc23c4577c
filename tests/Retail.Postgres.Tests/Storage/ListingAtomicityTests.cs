using Npgsql;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;
using Retail.Postgres.Operations;
using Retail.Postgres.Tests.Operations;

namespace Retail.Postgres.Tests.Storage;

/// <summary>The listing rows a state declares and the state itself commit together or not at all.</summary>
[Collection(SharedPostgres.Name)]
public sealed class ListingAtomicityTests(PostgresFixture fixture)
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 14, 0, 0, TimeSpan.Zero);

    private readonly Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions> cluster = PostgresFixture.UniqueCluster();

    [Fact]
    public async Task WriteStateAsync_ListingRowRefusedByTheDatabase_StoresNeitherTheStateNorAnyRow()
    {
        var storage = new ListingStorage(fixture, cluster);
        // PostgreSQL text cannot hold NUL: the row's insert fails inside the statement that writes the state.
        var poisoned = new ListedState { Name = "new", Rows = [Order("poisoned", channel: "web\u0000")] };

        await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.WriteAsync("poisoned", poisoned));

        Assert.Equal(0, await CountAsync("SELECT count(*) FROM retail_grain_state WHERE service_id = $1"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM retail_order_listing WHERE service_id = $1"));
    }

    [Fact]
    public async Task WriteStateAsync_UpdateWithARefusedRow_KeepsThePreviousStateAndRow()
    {
        var storage = new ListingStorage(fixture, cluster);
        var written = await storage.WriteAsync("kept", new ListedState { Name = "first", Rows = [Order("kept", channel: "web")] });
        var etag = written.ETag;

        await Assert.ThrowsAnyAsync<NpgsqlException>(
            () => storage.WriteAsync("kept", new ListedState { Name = "second", Rows = [Order("kept", channel: "pos\u0000")] }, written));

        Assert.Equal(etag, written.ETag);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM retail_grain_state WHERE service_id = $1 AND state ->> 'name' = 'first'"));
        var order = Assert.Single((await Queries().ListOrdersAsync(new OrderFilter())).Orders);
        Assert.Equal("web", order.Channel);
    }

    [Fact]
    public async Task ClearStateAsync_StateWithRows_DeletesTheGrainsRows()
    {
        var storage = new ListingStorage(fixture, cluster);
        var written = await storage.WriteAsync("gone", new ListedState { Rows = [Order("gone", channel: "web")] });

        await storage.ClearAsync("gone", written);

        Assert.Empty((await Queries().ListOrdersAsync(new OrderFilter())).Orders);
    }

    private OperationsQueries Queries() => new(fixture.DataSource, cluster.Value.ServiceId);

    private static OrderListing Order(string orderId, string channel) => new(new OrderSummary
    {
        OrderId = orderId,
        Channel = channel,
        ChannelOrderId = "#" + orderId,
        Status = OrderStatus.Received,
        ReceivedAt = Now,
        UpdatedAt = Now,
    });

    private async Task<long> CountAsync(string sql)
    {
        await using var command = fixture.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = cluster.Value.ServiceId });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
