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

    private async Task<NpgsqlDataSource> NewDatabaseAsync() => NpgsqlDataSource.Create(await NewConnectionStringAsync());

    private Task<string> NewConnectionStringAsync() => fixture.Server.CreateDatabaseAsync("migrations_" + Guid.NewGuid().ToString("N"));

    private static async Task<long> CountAppliedAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM retail_schema_migrations");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
