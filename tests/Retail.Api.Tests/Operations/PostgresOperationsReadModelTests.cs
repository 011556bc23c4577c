using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Retail.Api.Operations;
using Retail.Contracts;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;
using Retail.Testing.Postgres;
using Retail.Postgres.Operations;
using Retail.Postgres.Schema;

namespace Retail.Api.Tests.Operations;

public sealed class PostgresOperationsReadModelTests(PostgresOperationsReadModelTests.Database database)
    : IClassFixture<PostgresOperationsReadModelTests.Database>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset StartOfToday = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private readonly string serviceId = "service-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task ListOrdersAsync_ByStatusChannelAndAge_ReturnsOnlyMatchingOrdersWithTheirFields()
    {
        await StoreOrderAsync(Order("match", "shopify", OrderStatus.OnHold, Now.AddHours(-3)) with { HoldReason = "fraud check", GrandTotal = 99.95m });
        await StoreOrderAsync(Order("too-new", "shopify", OrderStatus.OnHold, Now.AddMinutes(-10)));
        await StoreOrderAsync(Order("other-channel", "pos", OrderStatus.OnHold, Now.AddHours(-3)));
        await StoreOrderAsync(Order("other-status", "shopify", OrderStatus.Reserved, Now.AddHours(-3)));

        var page = await ReadModel().ListOrdersAsync(
            new OrderListQuery { Status = OrderStatus.OnHold, Channel = "shopify", OlderThanMinutes = 60 }, CancellationToken.None);

        var order = Assert.Single(page.Items);
        Assert.Equal(Order("match", "shopify", OrderStatus.OnHold, Now.AddHours(-3)) with { HoldReason = "fraud check", GrandTotal = 99.95m }, order);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task ListOrdersAsync_PagingThroughThreePages_ReturnsEveryOrderOnceOldestFirst()
    {
        var expected = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var orderId = $"order-{i:D2}";
            await StoreOrderAsync(Order(orderId, "shopify", OrderStatus.Reserved, Now.AddMinutes(-60 + (i / 3))));
            expected.Add(orderId);
        }
        var readModel = ReadModel();

        var first = await readModel.ListOrdersAsync(new OrderListQuery { Limit = 4 }, CancellationToken.None);
        var second = await readModel.ListOrdersAsync(new OrderListQuery { Limit = 4, Cursor = first.NextCursor }, CancellationToken.None);
        var third = await readModel.ListOrdersAsync(new OrderListQuery { Limit = 4, Cursor = second.NextCursor }, CancellationToken.None);

        Assert.Equal(4, first.Items.Count);
        Assert.Equal(4, second.Items.Count);
        Assert.Equal(2, third.Items.Count);
        Assert.NotNull(second.NextCursor);
        Assert.Null(third.NextCursor);
        Assert.Equal(expected, first.Items.Concat(second.Items).Concat(third.Items).Select(order => order.OrderId));
    }

    [Fact]
    public async Task ListOrdersAsync_CursorNotFromThisList_IsAValidationError()
    {
        var readModel = ReadModel();

        var error = await Assert.ThrowsAsync<RetailValidationException>(() =>
            readModel.ListOrdersAsync(new OrderListQuery { Cursor = "MTIzfG9yZGVy" }, CancellationToken.None));

        Assert.Equal("cursor", Assert.Single(error.Errors.Keys));
    }

    [Fact]
    public async Task ReadKpiInputsAsync_StoredOrdersAndExceptions_ReturnsWindowOrdersOpenExceptionsAndTodaysVariances()
    {
        await StoreOrderAsync(Order("shipped", "shopify", OrderStatus.Shipped, Now.AddHours(-5)) with
        {
            ReleasedAt = Now.AddHours(-5).AddMinutes(1),
            PostingAcceptedAt = Now.AddHours(-5).AddMinutes(3),
            ShippedAt = Now.AddHours(-1),
        });
        await StoreOrderAsync(Order("refund", "pos", OrderStatus.Cancelled, Now.AddDays(-2)) with { RefundPendingAmount = 20m });
        await StoreOrderAsync(Order("outside-window", "pos", OrderStatus.Cancelled, Now.AddDays(-9)) with { RefundPendingAmount = 5m });
        await StoreExceptionsAsync(
            Record("InventoryVariance-1", ExceptionKinds.InventoryVariance, Now.AddDays(-1), ExceptionStatus.Open),
            Record("PaymentTimeout-2", ExceptionKinds.PaymentTimeout, Now.AddHours(-4), ExceptionStatus.Open),
            Record("InventoryVariance-3", ExceptionKinds.InventoryVariance, Now.AddHours(-3), ExceptionStatus.Resolved),
            Record("InventoryVariance-4", ExceptionKinds.InventoryVariance, Now.AddHours(-2), ExceptionStatus.Open));

        var inputs = await ReadModel().ReadKpiInputsAsync(Now.AddDays(-7), StartOfToday, CancellationToken.None);
        var report = KpiCalculator.Compute(inputs, Now);

        Assert.Equal(["refund", "shipped"], inputs.Orders.Select(order => order.OrderId));
        Assert.Equal(["InventoryVariance-1", "PaymentTimeout-2", "InventoryVariance-4"], inputs.OpenExceptions.Select(record => record.Id));
        Assert.Equal(["InventoryVariance-3", "InventoryVariance-4"], inputs.VarianceExceptionsToday.Select(record => record.Id));
        Assert.Equal(new RefundBacklog { Count = 1, Amount = 20m }, report.RefundBacklog);
        Assert.Equal(3, report.Exceptions.Count);
        Assert.Equal(TimeSpan.FromDays(1).TotalSeconds, report.Exceptions.OldestAgeSeconds);
        Assert.Equal(new InventoryVariance { Today = 2, OpenToday = 1 }, report.InventoryVariance);
        Assert.Equal(1, report.FulfilmentLatency.Count);
        Assert.Equal(TimeSpan.FromHours(4).TotalSeconds, report.FulfilmentLatency.P50Seconds);
        Assert.Equal(1, report.ErpPostingDelay.Count);
        Assert.Equal(TimeSpan.FromMinutes(2).TotalSeconds, report.ErpPostingDelay.P50Seconds);
    }

    [Fact]
    public async Task ReadKpiInputsAsync_ReturnsAndTouchedExceptions_AnswerReturnCycleTimeAndManualTouchRate()
    {
        await StoreOrderAsync(Order("touched", "shopify", OrderStatus.OnHold, Now.AddHours(-2)));
        await StoreOrderAsync(Order("untouched", "shopify", OrderStatus.Reserved, Now.AddHours(-2)));
        await StoreReturnAsync(new ReturnListing("touched", "r-1", Now.AddDays(-2), Now.AddDays(-1), Now.AddDays(-1).AddHours(6)));
        await StoreReturnAsync(new ReturnListing("touched", "r-old", Now.AddDays(-30), Now.AddDays(-29), null));
        await StoreExceptionsAsync(Record("PaymentTimeout-touched-1", ExceptionKinds.PaymentTimeout, Now.AddHours(-1), ExceptionStatus.Resolved) with
        {
            BusinessKey = "touched",
            ManualTouches = 1,
        });

        var inputs = await ReadModel().ReadKpiInputsAsync(Now.AddDays(-7), StartOfToday, CancellationToken.None);
        var report = KpiCalculator.Compute(inputs, Now);

        Assert.Equal(["r-1"], inputs.Returns!.Select(r => r.ReturnId));
        Assert.Equal(new LatencyPercentiles { Count = 1, P50Seconds = 86400, P95Seconds = 86400 }, report.ReturnCycleTime.AuthorizedToReceived);
        Assert.Equal(new LatencyPercentiles { Count = 1, P50Seconds = 6 * 3600, P95Seconds = 6 * 3600 }, report.ReturnCycleTime.ReceivedToRefunded);
        Assert.Equal(new ManualTouchRate { Orders = 2, Touched = 1, PerHundredOrders = 50 }, report.ManualTouchRate);
    }

    [Fact]
    public void AddOperationsReadModel_PostgresStorage_RegistersTheSqlReadModel()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:retail-db"] = database.Server.ConnectionString,
        }).Build();
        var services = new ServiceCollection().AddSingleton(TimeProvider.System);

        services.AddOperationsReadModel(configuration);

        using var provider = services.BuildServiceProvider();
        Assert.IsType<PostgresOperationsReadModel>(provider.GetRequiredService<IOperationsReadModel>());
    }

    [Fact]
    public void AddOperationsReadModel_MemoryStorage_RegistersTheGrainReadModel()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retail:Embedded"] = "true",
        }).Build();
        var services = new ServiceCollection();

        services.AddOperationsReadModel(configuration);

        var registration = Assert.Single(services, service => service.ServiceType == typeof(IOperationsReadModel));
        Assert.Equal(typeof(GrainOperationsReadModel), registration.ImplementationType);
        Assert.DoesNotContain(services, service => service.ServiceType == typeof(OperationsQueries));
    }

    private PostgresOperationsReadModel ReadModel() =>
        new(new OperationsQueries(database.DataSource, serviceId, new FixedTimeProvider(Now)), new PostgresExceptionProjection(database.DataSource, serviceId));

    private static OrderSummary Order(string orderId, string channel, OrderStatus status, DateTimeOffset receivedAt) => new()
    {
        OrderId = orderId,
        Channel = channel,
        ChannelOrderId = "#" + orderId,
        Status = status,
        ReceivedAt = receivedAt,
        UpdatedAt = receivedAt.AddMinutes(2),
    };

    private static ExceptionRecord Record(string id, string kind, DateTimeOffset createdAt, ExceptionStatus status) => new()
    {
        Id = id,
        Kind = kind,
        BusinessKey = "key-" + id,
        Reason = "reason of " + id,
        Attempts = 1,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        Status = status,
        Resolution = status == ExceptionStatus.Resolved ? "checked" : null,
    };

    /// <summary>The order's row in the order listing, as the grain storage writes it with the order's state.</summary>
    private Task StoreOrderAsync(OrderSummary order) => ExecuteAsync(
        """
        INSERT INTO retail_order_listing (service_id, order_id, grain_id, listing_version, channel, channel_order_id, status, received_at,
            updated_at, released_at, posting_accepted_at, shipped_at, refund_pending_amount, hold_reason, grand_total)
        VALUES ($1, $2, 'order/' || $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        """,
        order.OrderId, order.Channel, order.ChannelOrderId, order.Status.ToString(), order.ReceivedAt, order.UpdatedAt, order.ReleasedAt,
        order.PostingAcceptedAt, order.ShippedAt, order.RefundPendingAmount, order.HoldReason, order.GrandTotal);

    /// <summary>A return's row in the return listing.</summary>
    private Task StoreReturnAsync(ReturnListing returned) => ExecuteAsync(
        """
        INSERT INTO retail_return_listing (service_id, order_id, return_id, grain_id, listing_version, authorized_at, received_at, refunded_at)
        VALUES ($1, $2, $3, 'order/' || $2, 1, $4, $5, $6)
        """,
        returned.OrderId, returned.ReturnId, returned.AuthorizedAt, returned.ReceivedAt, returned.RefundedAt);

    /// <summary>The exception listing's rows, as the grain storage writes them with the exception grains' state.</summary>
    private async Task StoreExceptionsAsync(params ExceptionRecord[] records)
    {
        foreach (var record in records)
        {
            await ExecuteAsync(
                """
                INSERT INTO retail_exception_record (service_id, id, kind, business_key, reason, attempts, created_at, updated_at, status,
                    resolution, correlation_id, root, grain_id, manual_touches)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'exception/' || $4, $13)
                """,
                record.Id, record.Kind, record.BusinessKey, record.Reason, record.Attempts, record.CreatedAt, record.UpdatedAt,
                record.Status.ToString(), record.Resolution, record.CorrelationId, record.Root, record.ManualTouches);
        }
    }

    private async Task ExecuteAsync(string sql, params object?[] values)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value },
                DateTimeOffset time => new NpgsqlParameter<DateTimeOffset> { TypedValue = time.ToUniversalTime() },
                _ => new NpgsqlParameter { Value = value },
            });
        }
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A private PostgreSQL server for these tests, migrated once.</summary>
    public sealed class Database : IAsyncLifetime
    {
        private PostgresLauncher? server;
        private NpgsqlDataSource? dataSource;

        public PostgresLauncher Server => server ?? throw new InvalidOperationException("The server has not started.");

        public NpgsqlDataSource DataSource => dataSource ?? throw new InvalidOperationException("The server has not started.");

        public async Task InitializeAsync()
        {
            server = await PostgresLauncher.StartAsync(new PostgresLauncherOptions { Durable = false });
            dataSource = NpgsqlDataSource.Create(server.ConnectionString);
            await new PostgresMigrator(dataSource).MigrateAsync();
        }

        public async Task DisposeAsync()
        {
            if (dataSource is not null)
            {
                await dataSource.DisposeAsync();
            }
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
