using Npgsql;
using Retail.Postgres.Schema;

namespace Retail.Postgres.Tests.Schema;

[Collection(SharedPostgres.Name)]
public sealed class PostgresMigratorTests(PostgresFixture fixture)
{
    [Fact]
    public async Task MigrateAsync_EmptyDatabase_AppliesEveryMigrationAndCreatesTheTables()
    {
        await using var dataSource = await NewDatabaseAsync();

        var applied = await new PostgresMigrator(dataSource).MigrateAsync();

        Assert.Equal(PostgresMigrator.Migrations.Select(m => m.Version), applied);
        foreach (var table in new[] { "retail_grain_state", "retail_membership", "retail_membership_version", "retail_reminders" })
        {
            await using var command = dataSource.CreateCommand("SELECT to_regclass($1) IS NOT NULL");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = table });
            Assert.True((bool)(await command.ExecuteScalarAsync())!, table);
        }
    }

    [Fact]
    public async Task MigrateAsync_SecondRun_AppliesNothing()
    {
        await using var dataSource = await NewDatabaseAsync();
        var migrator = new PostgresMigrator(dataSource);
        await migrator.MigrateAsync();

        var applied = await migrator.MigrateAsync();

        Assert.Empty(applied);
        Assert.Equal(PostgresMigrator.Migrations.Count, await CountAppliedAsync(dataSource));
    }

    [Fact]
    public async Task MigrateAsync_TwoCallersAtOnce_ApplyEachMigrationExactlyOnce()
    {
        var connectionString = await NewConnectionStringAsync();
        await using var first = NpgsqlDataSource.Create(connectionString);
        await using var second = NpgsqlDataSource.Create(connectionString);

        var results = await Task.WhenAll(
            Task.Run(() => new PostgresMigrator(first).MigrateAsync()),
            Task.Run(() => new PostgresMigrator(second).MigrateAsync()));

        Assert.Equal(
            PostgresMigrator.Migrations.Select(m => m.Version),
            results.SelectMany(r => r).Order());
        Assert.Equal(PostgresMigrator.Migrations.Count, await CountAppliedAsync(first));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseWithStateFromBeforeTheListings_BackfillsTheOrderReturnAndExceptionListings()
    {
        await using var dataSource = await NewDatabaseAsync();
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await using var history = new NpgsqlCommand(
                "CREATE TABLE retail_schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                connection);
            await history.ExecuteNonQueryAsync();
            foreach (var migration in PostgresMigrator.Migrations.Where(m => m.Version < 6))
            {
                await using var script = new NpgsqlCommand(migration.Sql, connection);
                await script.ExecuteNonQueryAsync();
                await using var record = new NpgsqlCommand($"INSERT INTO retail_schema_migrations (version, name) VALUES ({migration.Version}, '{migration.Name}')", connection);
                await record.ExecuteNonQueryAsync();
            }
        }
        await InsertStateAsync(dataSource, "order", "order/o-1", """
            {"orderId":"o-1","channel":"shopify","channelOrderId":"#1","status":"Completed","receivedAt":"2025-06-15T10:00:00+00:00",
             "updatedAt":"2025-06-15T12:00:00+00:00","shippedAt":"2025-06-15T11:00:00+00:00","refundPendingAmount":0,"grandTotal":25.5,
             "returns":[{"returnId":"r-1","status":"Received","authorizedAt":"2025-06-16T10:00:00+00:00","receivedAt":"2025-06-17T10:00:00+00:00"}],
             "refunds":[{"refundId":"o-1-refund-1","reason":"Return r-1.","status":"Confirmed","confirmedAt":"2025-06-18T10:00:00+00:00"}]}
            """);
        await InsertStateAsync(dataSource, "exceptions", "exception/o-1", """
            {"records":[{"id":"Backordered-o-1-1","kind":"Backordered","businessKey":"o-1","reason":"short","attempts":2,
             "createdAt":"2025-06-15T10:00:00+00:00","updatedAt":"2025-06-15T10:05:00+00:00","status":"Open","root":"SKU-1"}]}
            """);

        Assert.Equal(PostgresMigrator.Migrations.Select(m => m.Version).Where(v => v >= 6), await new PostgresMigrator(dataSource).MigrateAsync());

        Assert.Equal("o-1|shopify|#1|Completed|25.5", await ScalarAsync(dataSource,
            "SELECT order_id || '|' || channel || '|' || channel_order_id || '|' || status || '|' || grand_total FROM retail_order_listing"));
        Assert.Equal("r-1|2025-06-16|2025-06-17|2025-06-18", await ScalarAsync(dataSource,
            "SELECT return_id || '|' || (authorized_at AT TIME ZONE 'UTC')::date || '|' || (received_at AT TIME ZONE 'UTC')::date || '|' || (refunded_at AT TIME ZONE 'UTC')::date FROM retail_return_listing"));
        Assert.Equal("Backordered-o-1-1|2|exception/o-1|SKU-1", await ScalarAsync(dataSource,
            "SELECT id || '|' || attempts || '|' || grain_id || '|' || root FROM retail_exception_record"));
    }

    private static async Task InsertStateAsync(NpgsqlDataSource dataSource, string stateName, string grainId, string json)
    {
        await using var command = dataSource.CreateCommand(
            "INSERT INTO retail_grain_state (service_id, state_name, grain_id, grain_type, state, version) VALUES ('retail', $1, $2, $3, $4::jsonb, 1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId[..grainId.IndexOf('/', StringComparison.Ordinal)] });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = json });
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string?> ScalarAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task<NpgsqlDataSource> NewDatabaseAsync() => NpgsqlDataSource.Create(await NewConnectionStringAsync());

    private Task<string> NewConnectionStringAsync() => fixture.Server.CreateDatabaseAsync("migrations_" + Guid.NewGuid().ToString("N"));

    private static async Task<long> CountAppliedAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM retail_schema_migrations");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
