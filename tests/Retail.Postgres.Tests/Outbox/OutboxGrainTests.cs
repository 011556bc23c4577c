using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.TestingHost;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Inventory;
using Retail.Messaging;
using Retail.Postgres.Tests.Cluster;

namespace Retail.Postgres.Tests.Outbox;

/// <summary>
/// The outbox of a real grain (inventory) on PostgreSQL storage and a real RabbitMQ: the silo dies after the state
/// write and before the broker acknowledged the event, and a new silo on the same database sends it, once.
/// </summary>
[Collection(SharedPostgres.Name)]
public sealed class OutboxGrainTests(PostgresFixture postgres, RabbitMqNodeFixture rabbit) : IClassFixture<RabbitMqNodeFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly ConcurrentDictionary<string, int> received = new(StringComparer.Ordinal);
    private ServiceProvider? consumerServices;
    private IAsyncDisposable? consumer;

    public async Task InitializeAsync()
    {
        if (!rabbit.Node.IsRunning)
        {
            await rabbit.Node.StartAgainAsync();
        }

        consumerServices = new ServiceCollection().AddRetailMessaging(MessagingConfiguration(TimeSpan.FromSeconds(30)).Build()).BuildServiceProvider();
        consumer = await consumerServices.GetRequiredService<IMessageProcessorFactory>().StartAsync(Entities.RetailEvents, (message, _) =>
        {
            received.AddOrUpdate(message.Message.MessageId, 1, (_, count) => count + 1);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions { Sessions = false });
    }

    public async Task DisposeAsync()
    {
        if (consumer is not null)
        {
            await consumer.DisposeAsync();
        }

        if (consumerServices is not null)
        {
            await consumerServices.DisposeAsync();
        }
    }

    [Fact]
    public async Task SaveAsync_SiloDiesBeforeTheBrokerAcknowledged_NextActivationOnANewSiloSendsTheEventOnce()
    {
        var (database, serviceId, key) = await NewWorldAsync();
        var eventId = RetailEvent.IdFor(key, 1);
        var first = await DeployAsync(database, serviceId, publishTimeout: TimeSpan.FromSeconds(30));
        await rabbit.Node.StopAsync();
        var call = first.GrainFactory.GetGrain<IInventoryGrain>(key).SetStockAsync(10, 0);
        _ = call.ContinueWith(static task => task.Exception, TaskScheduler.Default);
        await WaitUntilAsync(async () => (await PendingAsync(database, key)).Contains(eventId), "the state with the event was not written");

        var second = await CrashAndRedeployAsync(first, database, serviceId);
        await second.GrainFactory.GetGrain<IInventoryGrain>(key).GetAsync();

        await WaitUntilAsync(() => Task.FromResult(received.ContainsKey(eventId)), "the event did not arrive after the restart");
        await AssertSentOnceAsync(second, database, key, eventId);
    }

    [Fact]
    public async Task SaveAsync_PublishFailedAndSiloDied_RetryReminderOnANewSiloSendsTheEventOnceWithoutAnyCall()
    {
        var (database, serviceId, key) = await NewWorldAsync();
        var eventId = RetailEvent.IdFor(key, 1);
        var first = await DeployAsync(database, serviceId, publishTimeout: TimeSpan.FromSeconds(2));
        await rabbit.Node.StopAsync();
        await first.GrainFactory.GetGrain<IInventoryGrain>(key).SetStockAsync(10, 0);
        Assert.Equal([eventId], await PendingAsync(database, key));
        // The write is acknowledged before its delivery is tried; the failed delivery registers the retry reminder.
        await WaitUntilAsync(() => HasRetryReminderAsync(database, key), "the failed delivery registered no retry reminder");

        var second = await CrashAndRedeployAsync(first, database, serviceId);

        await WaitUntilAsync(() => Task.FromResult(received.ContainsKey(eventId)), "the retry reminder did not send the event");
        await AssertSentOnceAsync(second, database, key, eventId);
    }

    private async Task<(string Database, string ServiceId, string Key)> NewWorldAsync()
    {
        var id = Guid.NewGuid().ToString("N");
        var database = await postgres.Server.CreateDatabaseAsync("outbox_" + id);
        return (database, "service-" + id, InventoryKey.For("sku-" + id, "loc-1"));
    }

    private List<(string MessageId, int Count)> ReceivedFor(string key) =>
        [.. received.Where(entry => entry.Key.StartsWith(key + ":", StringComparison.Ordinal)).Select(entry => (entry.Key, entry.Value)).Order()];

    private IConfigurationBuilder MessagingConfiguration(TimeSpan publishTimeout) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:PublishTimeout"] = publishTimeout.ToString(),
        ["Messaging:MaxReconnectDelay"] = "00:00:01",
        ["ConnectionStrings:messaging"] = rabbit.Node.ConnectionString,
    });

    private async Task<TestCluster> DeployAsync(string database, string serviceId, TimeSpan publishTimeout)
    {
        var builder = new TestClusterBuilder(1);
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = "cluster-" + Guid.NewGuid().ToString("N");
        builder.ConfigureHostConfiguration(configuration =>
        {
            configuration.AddConfiguration(MessagingConfiguration(publishTimeout).Build());
            configuration.AddInMemoryCollection([new KeyValuePair<string, string?>("ConnectionStrings:retail-db", database)]);
        });
        builder.AddSiloBuilderConfigurator<OutboxSiloConfigurator>();
        builder.AddClientBuilderConfigurator<RetailClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>
    /// Kills the silo and disposes what it leaves behind, as a crashed process would (a killed in-process silo keeps
    /// its services, and its publisher would otherwise go on retrying), brings the broker back, and starts a new silo
    /// on the same database.
    /// </summary>
    private async Task<TestCluster> CrashAndRedeployAsync(TestCluster cluster, string database, string serviceId)
    {
        var silo = (InProcessSiloHandle)cluster.Silos.Single();
        await cluster.KillSiloAsync(silo);
        await ((IAsyncDisposable)silo.SiloHost).DisposeAsync();
        await cluster.DisposeAsync();
        await rabbit.Node.StartAgainAsync();
        return await DeployAsync(database, serviceId, publishTimeout: TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops the silo gracefully (its grains write their trimmed outboxes) and checks the event went out once and left the outbox.</summary>
    private async Task AssertSentOnceAsync(TestCluster cluster, string database, string key, string eventId)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
        Assert.Empty(await PendingAsync(database, key));
        Assert.Equal([(eventId, 1)], ReceivedFor(key));
    }

    private static async Task<bool> HasRetryReminderAsync(string database, string key)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM retail_reminders WHERE reminder_name = 'outbox-retry' AND strpos(grain_id, $1) > 0");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>The ids of the messages waiting in the stored outbox of the grain whose id contains <paramref name="key"/>.</summary>
    private static async Task<List<string>> PendingAsync(string database, string key)
    {
        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var command = dataSource.CreateCommand(
            "SELECT message->>'messageId' FROM retail_grain_state, jsonb_array_elements(state->'outbox'->'pending') AS message WHERE strpos(grain_id, $1) > 0");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
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
}
