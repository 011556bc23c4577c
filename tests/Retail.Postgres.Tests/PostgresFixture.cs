using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Retail.Testing.Postgres;
using Retail.Postgres.Schema;

namespace Retail.Postgres.Tests;

/// <summary>One private PostgreSQL server for the whole test run, migrated once.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresLauncher? server;
    private NpgsqlDataSource? dataSource;

    public PostgresLauncher Server => server ?? throw new InvalidOperationException("The server has not started.");

    public NpgsqlDataSource DataSource => dataSource ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync()
    {
        server = await PostgresLauncher.StartAsync();
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

    /// <summary>A schema handle whose migration is already done.</summary>
    internal RetailSchema Schema() => new(DataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<PostgresMigrator>.Instance);

    /// <summary>Cluster options with fresh ids, so that tests sharing the database do not see each other's rows.</summary>
    public static IOptions<ClusterOptions> UniqueCluster() => Options.Create(new ClusterOptions
    {
        ClusterId = "cluster-" + Guid.NewGuid().ToString("N"),
        ServiceId = "service-" + Guid.NewGuid().ToString("N"),
    });
}

[CollectionDefinition(Name)]
public sealed class SharedPostgres : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
