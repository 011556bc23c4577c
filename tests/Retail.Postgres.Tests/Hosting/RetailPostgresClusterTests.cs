using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.TestingHost;
using Retail.Postgres.Tests.Cluster;

namespace Retail.Postgres.Tests.Hosting;

/// <summary>
/// Orleans silos composed as production composes them, on configuration that puts membership, grain state and reminders
/// in PostgreSQL; the client finds the gateways through the configured clustering.
/// </summary>
[Collection(SharedPostgres.Name)]
public sealed class RetailPostgresClusterTests(PostgresFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task PostgresMembershipAndState_SiloHostingAGrainIsKilled_StateSurvivesOnAnotherSilo()
    {
        var connectionString = await NewDatabaseAsync();
        await using var cluster = await DeployAsync(connectionString, silos: 3);
        var (grain, home) = await GrainOnSecondarySiloAsync(cluster);
        var counts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => grain.IncrementAsync()));

        await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress.Equals(home)));
        var countAfterKill = await EventuallyAsync(grain.GetAsync);
        var newHome = await EventuallyAsync(grain.GetSiloAsync);

        Assert.Equal(Enumerable.Range(1, 20), counts.Order());
        Assert.Equal(20, countAfterKill);
        Assert.NotEqual(home, newHome);
        await WaitUntilAsync(() => IsMarkedDeadAsync(connectionString, home));
    }

    [Fact]
    public async Task PostgresReminders_ReminderRegistered_FiresAndIsStored()
    {
        var connectionString = await NewDatabaseAsync();
        await using var cluster = await DeployAsync(connectionString, silos: 2);
        var grain = cluster.GrainFactory.GetGrain<ICounterGrain>("reminded");

        await grain.ScheduleReminderAsync();

        await WaitUntilAsync(async () => await grain.GetReminderTicksAsync() >= 1);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM retail_reminders WHERE reminder_name = 'tick'");
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    private async Task<string> NewDatabaseAsync() =>
        await fixture.Server.CreateDatabaseAsync("cluster_" + Guid.NewGuid().ToString("N"));

    private static async Task<TestCluster> DeployAsync(string connectionString, short silos)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.UseTestClusterMembership = false;
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(RetailPostgresSettings.For(connectionString)));
        builder.AddSiloBuilderConfigurator<RetailSiloConfigurator>();
        builder.AddSiloBuilderConfigurator<CounterStorageConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static async Task<(ICounterGrain Grain, SiloAddress Home)> GrainOnSecondarySiloAsync(TestCluster cluster)
    {
        for (var i = 0; i < 100; i++)
        {
            var grain = cluster.GrainFactory.GetGrain<ICounterGrain>($"counter-{i}");
            var home = await grain.GetSiloAsync();
            if (!home.Equals(cluster.Primary?.SiloAddress))
            {
                return (grain, home);
            }
        }

        throw new InvalidOperationException("No grain was placed on a secondary silo.");
    }

    private static async Task<bool> IsMarkedDeadAsync(string connectionString, SiloAddress silo)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand(
            "SELECT status FROM retail_membership WHERE port = $1 AND generation = $2");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = silo.Endpoint.Port });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = silo.Generation });
        return await command.ExecuteScalarAsync() is int status && status == (int)SiloStatus.Dead;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await EventuallyAsync(condition))
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
}
