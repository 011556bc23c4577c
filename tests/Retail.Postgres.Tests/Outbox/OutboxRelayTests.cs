using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.TestingHost;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;
using Retail.Messaging;
using Retail.Postgres.Tests.Cluster;

namespace Retail.Postgres.Tests.Outbox;

/// <summary>
/// The outbox relay with the real grains on PostgreSQL and a real RabbitMQ: requests answer while the broker is down,
/// and every effect arrives once per id, in order per subject, when it is back, also after the silo that wrote them died.
/// </summary>
[Collection(SharedPostgres.Name)]
public sealed class OutboxRelayTests(PostgresFixture postgres, RabbitMqNodeFixture rabbit) : IClassFixture<RabbitMqNodeFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly ConcurrentQueue<(string Entity, string Session, string MessageId, string Body)> received = new();
    private ServiceProvider? consumerServices;
    private readonly List<IAsyncDisposable> consumers = [];

    public async Task InitializeAsync()
    {
        if (!rabbit.Node.IsRunning)
        {
            await rabbit.Node.StartAgainAsync();
        }

        consumerServices = new ServiceCollection().AddRetailMessaging(MessagingConfiguration().Build()).BuildServiceProvider();
        var processors = consumerServices.GetRequiredService<IMessageProcessorFactory>();
        foreach (var entity in new[] { Entities.RetailEvents, Entities.ErpOutbound })
        {
            consumers.Add(await processors.StartAsync(entity, (message, _) =>
            {
                received.Enqueue((entity, message.Message.SessionId ?? "", message.Message.MessageId, System.Text.Encoding.UTF8.GetString(message.Message.Body.Span)));
                return Task.FromResult(MessageOutcome.Complete);
            }, new ProcessorOptions { Sessions = true, MaxConcurrency = 8 }));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var consumer in consumers)
        {
            await consumer.DisposeAsync();
        }
        if (consumerServices is not null)
        {
            await consumerServices.DisposeAsync();
        }
        if (!rabbit.Node.IsRunning)
        {
            await rabbit.Node.StartAgainAsync();
        }
    }

    [Fact]
    public async Task SubmitAsync_BrokerStopped_AnswersAtOnceAndEveryEffectArrivesOnceInOrderWhenItIsBack()
    {
        var (database, serviceId) = await NewWorldAsync();
        await using var cluster = await DeployAsync(database, serviceId);
        var sku = await StockAsync(cluster.GrainFactory);
        await rabbit.Node.StopAsync();

        var orderIds = Enumerable.Range(0, 20).Select(i => $"relay-{i}-{Guid.NewGuid():N}").ToList();
        var slowest = TimeSpan.Zero;
        foreach (var orderId in orderIds)
        {
            var clock = Stopwatch.StartNew();
            var result = await cluster.GrainFactory.GetGrain<IOrderGrain>(orderId).SubmitAsync(PaidOrder(orderId, sku));
            slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            Assert.Equal(OrderStatus.Released, result.Status);
        }
        Assert.True(slowest < TimeSpan.FromSeconds(3), $"an order took {slowest} with the broker down");
        Assert.DoesNotContain(received, r => orderIds.Contains(r.Session));
        Assert.Equal(orderIds.Count, (await FlaggedAsync(database, "order")).Count);

        await rabbit.Node.StartAgainAsync();

        await WaitUntilAsync(() => orderIds.All(id => ErpOf(id).Distinct().Count() == 1 && EventsOf(id).DistinctBy(e => e.Id).Count() == 3),
            "the effects did not arrive after the broker came back");
        await WaitUntilAsync(async () => (await FlaggedAsync(database, "order")).Count == 0, "the delivered outboxes stayed flagged");
        foreach (var orderId in orderIds)
        {
            var events = EventsOf(orderId);
            Assert.Single(ErpOf(orderId));
            Assert.Equal([EventTypes.OrderReceived, EventTypes.OrderReserved, EventTypes.OrderReleased], events.Select(e => e.Type));
            Assert.Equal(events.Select(e => e.Sequence).Order(), events.Select(e => e.Sequence));
        }

    }

    [Fact]
    public async Task Relay_SiloKilledBetweenTheWriteAndItsDelivery_NewSiloDeliversEachEffectOnceWithoutAnyCall()
    {
        var (database, serviceId) = await NewWorldAsync();
        var first = await DeployAsync(database, serviceId);
        var sku = await StockAsync(first.GrainFactory);
        await rabbit.Node.StopAsync();
        var orderId = $"crash-{Guid.NewGuid():N}";
        await first.GrainFactory.GetGrain<IOrderGrain>(orderId).SubmitAsync(PaidOrder(orderId, sku));
        Assert.Contains(orderId, await FlaggedAsync(database, "order"));

        var silo = (InProcessSiloHandle)first.Silos.Single();
        await first.KillSiloAsync(silo);
        await ((IAsyncDisposable)silo.SiloHost).DisposeAsync();
        await first.DisposeAsync();
        await rabbit.Node.StartAgainAsync();
        await using var second = await DeployAsync(database, serviceId);

        await WaitUntilAsync(() => ErpOf(orderId).Count >= 1 && EventsOf(orderId).DistinctBy(e => e.Id).Count() == 3, "the new silo's relay did not deliver the stored effects");
        await WaitUntilAsync(async () => !(await FlaggedAsync(database, "order")).Contains(orderId), "the delivered outbox stayed flagged");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(4, received.Count(r => r.Session == orderId));
        Assert.Equal(4, received.Where(r => r.Session == orderId).Select(r => r.MessageId).Distinct().Count());
    }

    private List<RetailEvent> EventsOf(string orderId) =>
        [.. received.Where(r => r.Entity == Entities.RetailEvents && r.Session == orderId).Select(r => RetailEvent.Parse(r.Body))];

    private List<string> ErpOf(string orderId) =>
        [.. received.Where(r => r.Entity == Entities.ErpOutbound && r.Session == orderId).Select(r => r.MessageId)];

    private async Task<(string Database, string ServiceId)> NewWorldAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        return (await postgres.Server.CreateDatabaseAsync("relay_" + id), "service-" + id);
    }

    private static async Task<string> StockAsync(IGrainFactory grains)
    {
        var location = "loc-" + Guid.NewGuid().ToString("N");
        await grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).UpsertAsync(new Location
        {
            LocationId = location,
            Name = "Warehouse",
            Type = LocationType.Warehouse,
            Priority = 1,
        });
        var sku = "sku-" + Guid.NewGuid().ToString("N");
        await grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, location)).SetStockAsync(1000, 0);
        return sku;
    }

    private static CanonicalOrder PaidOrder(string orderId, string sku) => new()
    {
        OrderId = orderId,
        Channel = Channels.Web,
        ChannelOrderId = "web-" + orderId,
        PlacedAt = DateTimeOffset.UtcNow,
        Currency = "USD",
        Customer = new Customer { CustomerId = "c-1", Email = "ada@example.com", Name = "Ada" },
        ShipTo = new Address { Name = "Ada", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
        Fulfillment = new Fulfillment { Method = FulfillmentMethods.Ship },
        Lines = [new OrderLine { LineId = "1", Sku = sku, Quantity = 2, UnitPrice = 10.00m }],
        Totals = new Totals { Subtotal = 20.00m, Shipping = 5.00m, GrandTotal = 25.00m },
        Payment = new Payment { Provider = "stripe", Reference = "pi-" + orderId, Status = PaymentStatuses.Captured },
    };

    private IConfigurationBuilder MessagingConfiguration() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:PublishTimeout"] = "00:00:05",
        ["Messaging:MaxReconnectDelay"] = "00:00:01",
        ["Relay:MaxBackoff"] = "00:00:02",
        ["Relay:AttemptTimeout"] = "00:00:03",
        ["ConnectionStrings:messaging"] = rabbit.Node.ConnectionString,
    });

    private async Task<TestCluster> DeployAsync(string database, string serviceId)
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = "cluster-" + Guid.NewGuid().ToString("N");
        builder.ConfigureHostConfiguration(configuration =>
        {
            // Copied, not chained: a key a silo sets on its configuration would pass through a chained source to the client.
            configuration.AddInMemoryCollection(MessagingConfiguration().Build().AsEnumerable());
            configuration.AddInMemoryCollection(RetailPostgresSettings.For(database));
        });
        builder.AddSiloBuilderConfigurator<OutboxSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The keys of the grains of <paramref name="type"/> whose stored state is flagged with undelivered effects.</summary>
    private static async Task<List<string>> FlaggedAsync(string database, string type)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("SELECT substr(grain_id, length($1) + 2) FROM retail_grain_state WHERE grain_type = $1 AND outbox_pending");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = type });
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await reader.ReadAsync())
        {
            keys.Add(reader.GetString(0));
        }
        return keys;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string because)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, because);
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string because) => WaitUntilAsync(() => Task.FromResult(condition()), because);
}
