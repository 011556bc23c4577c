using Microsoft.Extensions.Logging;
using Npgsql;

namespace Retail.Postgres.Schema;

/// <summary>
/// Runs the migrations once per process before the first provider touches the database. Every provider
/// awaits it on initialisation, so the order in which Orleans starts them does not matter. A failed
/// attempt (database not reachable yet) is retried by the next caller.
/// </summary>
internal sealed class RetailSchema(NpgsqlDataSource dataSource, ILogger<PostgresMigrator> logger)
{
    private readonly Lock gate = new();
    private Task? migration;

    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (migration is null || migration.IsFaulted || migration.IsCanceled)
            {
                migration = new PostgresMigrator(dataSource, logger).MigrateAsync(CancellationToken.None);
            }

            return migration.WaitAsync(cancellationToken);
        }
    }
}
