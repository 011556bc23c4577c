using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.TestingHost;
using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;
using Retail.Postgres.Operations;
using Xunit.Abstractions;

namespace Retail.Postgres.Tests.Cluster;

/// <summary>The real order and inventory grains on a PostgreSQL cluster of three silos, through silo failure and restart.</summary>
[Collection(SharedPostgres.Name)]
public sealed class RetailGrainClusterTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private const int OrderCount = 240;
    private const int Workers = 6;
    private const int StockPerPosition = 40;

    [Fact]
    public async Task SubmitAsync_SiloKilledWhileOrdersRun_EveryAcceptedOrderAndReservationIsConsistent()
    {
        var connectionString = await NewDatabaseAsync();
        await using var cluster = await DeployAsync(connectionString, "service-" + Guid.NewGuid().ToString("N"), silos: 3);
        var world = await World.CreateAsync(cluster.GrainFactory, skus: 4, locations: 3, StockPerPosition);
        var writesBefore = await DurableWritesAsync(connectionString);
        var next = -1;
        var retried = 0;
        var accepted = new System.Collections.Concurrent.ConcurrentBag<string>();
        var victim = cluster.SecondarySilos[0];
        var killed = false;
        var clock = Stopwatch.StartNew();

        var workers = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            int index;
            while ((index = Interlocked.Increment(ref next)) < OrderCount)
            {
                var orderId = $"ord-{index}-{Guid.NewGuid():N}";
                var order = world.Order(orderId, random);
                var attempts = await SubmitUntilAcceptedAsync(cluster.GrainFactory, orderId, order);
                if (attempts > 1)
                {
                    Interlocked.Increment(ref retried);
                }
                accepted.Add(orderId);
            }
        })).ToList();
        await WaitUntilAsync(() => Task.FromResult(accepted.Count >= OrderCount / 3));
        await cluster.KillSiloAsync(victim);
        killed = true;
        await Task.WhenAll(workers);
        clock.Stop();
        var writes = await DurableWritesAsync(connectionString) - writesBefore;

        Assert.True(killed);
        Assert.Equal(OrderCount, accepted.Count);
        var views = await Task.WhenAll(accepted.Select(id => EventuallyAsync(() => cluster.GrainFactory.GetGrain<IOrderGrain>(id).GetAsync())));
        Assert.All(views, view => Assert.NotNull(view));
        var lines = views.SelectMany(view => view!.Lines).ToList();
        Assert.All(lines, line => Assert.Equal(line.Ordered, line.Reserved + line.Backordered + line.Cancelled));
        Assert.All(lines, line => Assert.Equal(line.Reserved, line.Allocations.Sum(a => a.Quantity)));
        var allocated = lines
            .SelectMany(line => line.Allocations.Select(a => (Key: InventoryKey.For(line.Sku, a.LocationId), a.Quantity)))
            .GroupBy(a => a.Key)
            .ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
        foreach (var key in world.Positions)
        {
            // An intake the kill cut short may have reserved at a position its retry did not use; the position's holder
            // check (Reservations:HolderCheckAfter, 5 s here) finds that no order holds it and releases it.
            await WaitUntilAsync(async () => (await EventuallyAsync(() => cluster.GrainFactory.GetGrain<IInventoryGrain>(key).GetAsync())).Reserved
                == allocated.GetValueOrDefault(key));
            var position = await EventuallyAsync(() => cluster.GrainFactory.GetGrain<IInventoryGrain>(key).GetAsync());
            Assert.Equal(allocated.GetValueOrDefault(key), position.Reserved);
            Assert.True(position.Reserved <= position.OnHand - position.SafetyStock, $"{key} is oversold: {position}.");
            Assert.Equal(position.OnHand - position.SafetyStock - position.Reserved, position.Available);
            Assert.Equal(StockPerPosition, position.OnHand);
        }
        Assert.True(lines.Sum(l => l.Reserved) > 0);
        output.WriteLine(
            $"{OrderCount} orders in {clock.Elapsed.TotalSeconds:F1} s ({OrderCount / clock.Elapsed.TotalSeconds:F1} orders/s), " +
            $"{retried} needed a retry, {Describe(writes, OrderCount, lines.Sum(l => l.Allocations.Count))}");
    }

    [Fact]
    public async Task SubmitAsync_FlashSaleOnOnePosition_SellsOutExactlyAndEveryOrderIsConsistent()
    {
        const int orders = 200;
        const int stock = 150;
        var connectionString = await NewDatabaseAsync();
        await using var cluster = await DeployAsync(connectionString, "service-" + Guid.NewGuid().ToString("N"), silos: 2);
        var world = await World.CreateAsync(cluster.GrainFactory, skus: 1, locations: 1, stock);
        var writesBefore = await DurableWritesAsync(connectionString);
        var clock = Stopwatch.StartNew();

        var ids = Enumerable.Range(0, orders).Select(i => $"flash-{i}-{Guid.NewGuid():N}").ToList();
        await Task.WhenAll(ids.Select(id => SubmitUntilAcceptedAsync(cluster.GrainFactory, id, world.OneUnit(id))));

        clock.Stop();
        var writes = await DurableWritesAsync(connectionString) - writesBefore;
        var views = await Task.WhenAll(ids.Select(id => cluster.GrainFactory.GetGrain<IOrderGrain>(id).GetAsync()));
        var lines = views.Select(view => Assert.Single(view!.Lines)).ToList();
        Assert.All(lines, line => Assert.Equal(line.Ordered, line.Reserved + line.Backordered + line.Cancelled));
        Assert.All(lines, line => Assert.Equal(line.Reserved, line.Allocations.Sum(a => a.Quantity)));
        var position = await cluster.GrainFactory.GetGrain<IInventoryGrain>(world.Positions[0]).GetAsync();
        Assert.Equal((stock, stock, 0), (position.OnHand, position.Reserved, position.Available));
        Assert.Equal(stock, lines.Sum(l => l.Reserved));
        Assert.Equal(stock, await DurableReservedAsync(connectionString, world.Positions[0]));
        output.WriteLine(
            $"{orders} orders for {stock} units with all {orders} in flight in {clock.Elapsed.TotalSeconds:F1} s, " +
            Describe(writes, orders, stock));
    }

    [Fact]
    public async Task ReserveAsync_ManyConcurrentOnOnePosition_ShareDurableWrites()
    {
        const int requests = 400;
        const int stock = 300;
        var connectionString = await NewDatabaseAsync();
        await using var cluster = await DeployAsync(connectionString, "service-" + Guid.NewGuid().ToString("N"), silos: 2);
        var world = await World.CreateAsync(cluster.GrainFactory, skus: 1, locations: 1, stock);
        var key = world.Positions[0];
        var grain = cluster.GrainFactory.GetGrain<IInventoryGrain>(key);
        var versionBefore = await VersionOfAsync(connectionString, key);

        var results = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => grain.ReserveAsync(new ReservationRequest
        {
            Id = new ReservationId($"ord-{i}", "1"),
            Quantity = 1,
        })));

        var writes = await VersionOfAsync(connectionString, key) - versionBefore;
        var acknowledged = results.Count(r => r.Reserved);
        output.WriteLine($"{requests} concurrent reservations, {acknowledged} acknowledged, {writes} durable writes ({(double)writes / acknowledged:F3} per reservation)");
        Assert.Equal(stock, acknowledged);
        Assert.Equal(stock, await DurableReservedAsync(connectionString, key));
        Assert.True(writes * 2 < acknowledged, $"{writes} writes for {acknowledged} reservations");
    }

    [Fact]
    public async Task ReserveAsync_PositionHoldingManyReservations_WritesOnlyTheNewRowAndKeepsTheStateSmall()
    {
        const int held = 500;
        var connectionString = await NewDatabaseAsync();
        await using var cluster = await DeployAsync(connectionString, "service-" + Guid.NewGuid().ToString("N"), silos: 1);
        var world = await World.CreateAsync(cluster.GrainFactory, skus: 1, locations: 1, stock: 10_000);
        var key = world.Positions[0];
        var grain = cluster.GrainFactory.GetGrain<IInventoryGrain>(key);
        var emptyState = await StateLengthAsync(connectionString, key);
        await Task.WhenAll(Enumerable.Range(0, held).Select(i => grain.ReserveAsync(new ReservationRequest { Id = new ReservationId($"ord-{i}", "1"), Quantity = 2 })));
        var rowsBefore = await RowVersionsAsync(connectionString, key);

        var last = await grain.ReserveAsync(new ReservationRequest { Id = new ReservationId("ord-last", "1"), Quantity = 3 });

        var rowsAfter = await RowVersionsAsync(connectionString, key);
        var stateAfter = await StateLengthAsync(connectionString, key);
        output.WriteLine($"state {emptyState} bytes with no reservation, {stateAfter} with {rowsAfter.Count}");
        Assert.True(last.Reserved);
        Assert.Equal(held, rowsBefore.Count);
        Assert.Equal(rowsBefore.Keys.Append("ord-last/1").Order(StringComparer.Ordinal), rowsAfter.Keys.Order(StringComparer.Ordinal));
        Assert.All(rowsBefore, row => Assert.Equal(row.Value, rowsAfter[row.Key]));
        Assert.InRange(stateAfter, emptyState - 16, emptyState + 16);
        Assert.Equal(2 * held + 3, await DurableReservedAsync(connectionString, key));

        await cluster.GrainFactory.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var reloaded = await grain.GetAsync();
        Assert.Equal((2 * held + 3, 10_000 - 2 * held - 3), (reloaded.Reserved, reloaded.Available));
    }

    /// <summary>Each stored reservation row of the position <paramref name="key"/> by its key, with the transaction that last wrote it.</summary>
    private static async Task<Dictionary<string, string>> RowVersionsAsync(string connectionString, string key)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT row_key, xmin::text FROM retail_grain_row WHERE state_name = 'inventory' AND strpos(grain_id, $1) > 0");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = reader.GetString(1);
        }
        return rows;
    }

    private static async Task<int> StateLengthAsync(string connectionString, string key)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT length(state::text) FROM retail_grain_state WHERE state_name = 'inventory' AND strpos(grain_id, $1) > 0");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return await command.ExecuteScalarAsync() is int length ? length : 0;
    }

    private static string Describe(DurableWrites writes, int orders, int reservations) =>
        $"durable writes {writes.Total} ({(double)writes.Total / orders:F2} per order; orders {writes.Orders}, " +
        $"inventory {writes.Inventory} for {reservations} reservations ({(double)writes.Inventory / reservations:F2} per reservation), " +
        $"other (availability, registries) {writes.Other})";

    [Fact]
    public async Task DeployAsync_WholeClusterRestarted_StateIntactAndPendingRemindersFire()
    {
        var connectionString = await NewDatabaseAsync();
        var serviceId = "service-" + Guid.NewGuid().ToString("N");
        var cluster = await DeployAsync(connectionString, serviceId, silos: 2);
        var world = await World.CreateAsync(cluster.GrainFactory, skus: 1, locations: 1, StockPerPosition);
        var paidId = "ord-paid-" + Guid.NewGuid().ToString("N");
        var unpaidId = "ord-unpaid-" + Guid.NewGuid().ToString("N");
        var random = new Random(1);
        await cluster.GrainFactory.GetGrain<IOrderGrain>(paidId).SubmitAsync(world.Order(paidId, random));
        await cluster.GrainFactory.GetGrain<IOrderGrain>(unpaidId).SubmitAsync(world.Order(unpaidId, random) with
        {
            Payment = new Payment { Provider = "stripe", Reference = "pi-" + unpaidId, Status = PaymentStatuses.Pending },
        });
        var lapsing = InventoryKey.For("sku-lapsing-" + Guid.NewGuid().ToString("N"), world.Locations[0]);
        await cluster.GrainFactory.GetGrain<IInventoryGrain>(lapsing).SetStockAsync(10, 0);
        await cluster.GrainFactory.GetGrain<IInventoryGrain>(lapsing).ReserveAsync(new ReservationRequest
        {
            Id = new ReservationId("ord-elsewhere", "1"),
            Quantity = 4,
            ExpiresAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3),
        });
        var paidBefore = await cluster.GrainFactory.GetGrain<IOrderGrain>(paidId).GetAsync();
        var stockBefore = await cluster.GrainFactory.GetGrain<IInventoryGrain>(world.Positions[0]).GetAsync();
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
        var unpaidVersion = await VersionOfAsync(connectionString, unpaidId);
        var lapsingVersion = await VersionOfAsync(connectionString, lapsing);

        await using var restarted = await DeployAsync(connectionString, serviceId, silos: 2);

        await WaitUntilAsync(async () => await VersionOfAsync(connectionString, unpaidId) > unpaidVersion);
        await WaitUntilAsync(async () => await VersionOfAsync(connectionString, lapsing) > lapsingVersion);
        var paid = await EventuallyAsync(() => restarted.GrainFactory.GetGrain<IOrderGrain>(paidId).GetAsync());
        var unpaid = await EventuallyAsync(() => restarted.GrainFactory.GetGrain<IOrderGrain>(unpaidId).GetAsync());
        var stock = await EventuallyAsync(() => restarted.GrainFactory.GetGrain<IInventoryGrain>(world.Positions[0]).GetAsync());
        var lapsed = await EventuallyAsync(() => restarted.GrainFactory.GetGrain<IInventoryGrain>(lapsing).GetAsync());
        Assert.Equal(paidBefore!.Status, paid!.Status);
        Assert.Equal(paidBefore.Lines.Sum(l => l.Reserved), paid.Lines.Sum(l => l.Reserved));
        Assert.Equal(OrderStatus.OnHold, unpaid!.Status);
        Assert.All(unpaid.Lines, line => Assert.Equal(0, line.Reserved));
        Assert.Equal(stockBefore.OnHand, stock.OnHand);
        Assert.Equal(paid.Lines.Sum(l => l.Reserved), stock.Reserved);
        Assert.Equal((10, 0), (lapsed.OnHand, lapsed.Reserved));

        // Fresh activations over the stored rows: the order index answers the owner to a later claim, and the
        // availability view (which stores only where the SKU is stocked) reads the position.
        var paidOrder = world.Order(paidId, new Random(1));
        var channelIndex = restarted.GrainFactory.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(paidOrder.Channel, paidOrder.ChannelOrderId));
        Assert.Equal(paidId, await channelIndex.ClaimAsync("ord-later-" + Guid.NewGuid().ToString("N")));
        var availability = await restarted.GrainFactory.GetGrain<ISkuAvailabilityGrain>(world.Skus[0]).GetAsync();
        Assert.Equal([world.Locations[0]], availability.Locations.Select(l => l.LocationId));
        Assert.Equal(stock.Available, availability.Total);
    }

    [Fact]
    public async Task OperationsQueries_OrderStateFieldsRenamedInTheDatabase_AnswerTheOrderListAndKpiInputsAsBefore()
    {
        var connectionString = await NewDatabaseAsync();
        var serviceId = "service-" + Guid.NewGuid().ToString("N");
        await using var cluster = await DeployAsync(connectionString, serviceId, silos: 1);
        var world = await World.CreateAsync(cluster.GrainFactory, skus: 1, locations: 1, stock: 2);
        var since = DateTimeOffset.UtcNow.AddHours(-1);
        await cluster.GrainFactory.GetGrain<IOrderGrain>("listed-1").SubmitAsync(world.OneUnit("listed-1"));
        await cluster.GrainFactory.GetGrain<IOrderGrain>("listed-2").SubmitAsync(world.Order("listed-2", new Random(7)) with
        {
            Lines = [world.OneUnit("listed-2").Lines[0] with { Quantity = 5 }],
            Totals = new Totals { Subtotal = 50m, Discount = 0m, Shipping = 5m, Tax = 0m, GrandTotal = 55m },
        });
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var queries = new OperationsQueries(dataSource, serviceId);
        var exceptions = new PostgresExceptionProjection(dataSource, serviceId);
        // The backorder's exception record is raised through the outbox relay.
        await WaitUntilAsync(async () => (await exceptions.ListAsync(new Contracts.Exceptions.ExceptionQuery())).Count > 0);
        var listed = (await queries.ListOrdersAsync(new OrderFilter())).Orders;
        var received = await queries.ListOrdersReceivedSinceAsync(since);
        var counts = await queries.CountOrdersAsync(since, DateTimeOffset.UtcNow.AddHours(1));
        var open = await exceptions.ListAsync(new Contracts.Exceptions.ExceptionQuery());

        await using (var rename = dataSource.CreateCommand(
            "UPDATE retail_grain_state SET state = (SELECT jsonb_object_agg(key || '_renamed', value) FROM jsonb_each(state)) WHERE state_name IN ('order', 'exceptions')"))
        {
            Assert.True(await rename.ExecuteNonQueryAsync() >= 3);
        }

        Assert.Equal(["listed-1", "listed-2"], listed.Select(o => o.OrderId).Order());
        Assert.Equal([OrderStatus.Backordered.ToString(), OrderStatus.Released.ToString()], listed.Select(o => o.Status).Order());
        Assert.Equal(listed, (await queries.ListOrdersAsync(new OrderFilter())).Orders);
        Assert.Equal(received, await queries.ListOrdersReceivedSinceAsync(since));
        Assert.Equal(counts, await queries.CountOrdersAsync(since, DateTimeOffset.UtcNow.AddHours(1)));
        Assert.Equal(open, await exceptions.ListAsync(new Contracts.Exceptions.ExceptionQuery()));
    }

    private static async Task<int> SubmitUntilAcceptedAsync(IGrainFactory grains, string orderId, CanonicalOrder order)
    {
        var deadline = DateTime.UtcNow + Patience;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.GetGrain<IOrderGrain>(orderId).SubmitAsync(order);
                return attempt;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }

    private async Task<string> NewDatabaseAsync() =>
        await fixture.Server.CreateDatabaseAsync("grains_" + Guid.NewGuid().ToString("N"));

    private static async Task<TestCluster> DeployAsync(string connectionString, string serviceId, short silos)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = "cluster-" + Guid.NewGuid().ToString("N");
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(
        [
            .. RetailPostgresSettings.For(connectionString),
            new KeyValuePair<string, string?>("Orders:Directory", "false"),
            new KeyValuePair<string, string?>("Reservations:PaymentTimeout", "00:00:03"),
        ]));
        builder.AddSiloBuilderConfigurator<RetailSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static async Task<DurableWrites> DurableWritesAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT state_name, sum(version)::bigint FROM retail_grain_state GROUP BY state_name");
        await using var reader = await command.ExecuteReaderAsync();
        var byName = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            byName[reader.GetString(0)] = reader.GetInt64(1);
        }
        return new DurableWrites(
            byName.GetValueOrDefault("order"),
            byName.GetValueOrDefault("inventory"),
            byName.Where(p => p.Key is not ("order" or "inventory")).Sum(p => p.Value));
    }

    /// <summary>The units reserved in the stored state of the inventory position <paramref name="key"/>.</summary>
    private static async Task<long> DurableReservedAsync(string connectionString, string key)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            // One row per reservation, its value an array with the quantity third; a state stored before the rows holds
            // the same arrays in its JSON until its next write.
            "SELECT (SELECT coalesce(sum((r.value->>2)::int), 0) FROM retail_grain_row r " +
            "        WHERE r.state_name = 'inventory' AND strpos(r.grain_id, $1) > 0) " +
            "     + (SELECT coalesce(sum((r->>2)::int), 0) FROM retail_grain_state s, jsonb_array_elements(s.state->'reservations') r " +
            "        WHERE s.state_name = 'inventory' AND strpos(s.grain_id, $1) > 0)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return await command.ExecuteScalarAsync() is long reserved ? reserved : 0;
    }

    /// <summary>The version (count of writes) of the one grain whose id contains <paramref name="key"/>.</summary>
    private static async Task<long> VersionOfAsync(string connectionString, string key)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT max(version) FROM retail_grain_state WHERE strpos(grain_id, $1) > 0");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return await command.ExecuteScalarAsync() is long version ? version : 0;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Retries a call that fails while the cluster is still recovering.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }

    private sealed record DurableWrites(long Orders, long Inventory, long Other)
    {
        public long Total => Orders + Inventory + Other;

        public static DurableWrites operator -(DurableWrites after, DurableWrites before) =>
            new(after.Orders - before.Orders, after.Inventory - before.Inventory, after.Other - before.Other);
    }

    /// <summary>Locations and stocked SKUs, and orders for them.</summary>
    private sealed class World
    {
        public List<string> Skus { get; } = [];

        public List<string> Locations { get; } = [];

        public List<string> Positions { get; } = [];

        public static async Task<World> CreateAsync(IGrainFactory grains, int skus, int locations, int stock)
        {
            var world = new World();
            for (var i = 0; i < locations; i++)
            {
                var id = $"loc{i}-{Guid.NewGuid():N}";
                await grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).UpsertAsync(new Location
                {
                    LocationId = id,
                    Name = $"Location {i}",
                    Type = i == 0 ? LocationType.Warehouse : LocationType.Store,
                    Priority = i + 1,
                });
                world.Locations.Add(id);
            }
            for (var i = 0; i < skus; i++)
            {
                var sku = $"sku{i}-{Guid.NewGuid():N}";
                world.Skus.Add(sku);
                foreach (var location in world.Locations)
                {
                    var key = InventoryKey.For(sku, location);
                    await grains.GetGrain<IInventoryGrain>(key).SetStockAsync(stock, 0);
                    world.Positions.Add(key);
                }
            }
            return world;
        }

        /// <summary>One or two lines of one to three units each, paid.</summary>
        public CanonicalOrder Order(string orderId, Random random) =>
            Paid(orderId, Skus.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).Select(sku => (sku, random.Next(1, 4))));

        /// <summary>One unit of the first SKU, paid.</summary>
        public CanonicalOrder OneUnit(string orderId) => Paid(orderId, [(Skus[0], 1)]);

        private static CanonicalOrder Paid(string orderId, IEnumerable<(string Sku, int Quantity)> items)
        {
            var lines = items
                .Select((item, i) => new OrderLine
                {
                    LineId = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Sku = item.Sku,
                    Quantity = item.Quantity,
                    UnitPrice = 10.00m,
                    Discount = 0m,
                    Tax = 0m,
                })
                .ToList();
            var subtotal = lines.Sum(l => l.Quantity * l.UnitPrice);
            return new CanonicalOrder
            {
                OrderId = orderId,
                Channel = Channels.Web,
                ChannelOrderId = "web-" + orderId,
                PlacedAt = DateTimeOffset.UtcNow,
                Currency = "USD",
                Customer = new Customer { CustomerId = "c-1", Email = "ada@example.com", Name = "Ada" },
                ShipTo = new Address { Name = "Ada", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
                Fulfillment = new Fulfillment { Method = FulfillmentMethods.Ship },
                Lines = lines,
                Totals = new Totals { Subtotal = subtotal, Discount = 0m, Shipping = 5.00m, Tax = 0m, GrandTotal = subtotal + 5.00m },
                Payment = new Payment { Provider = "stripe", Reference = "pi-" + orderId, Status = PaymentStatuses.Captured },
            };
        }
    }
}
