using Azure.Core;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Retail.Postgres.Connection;

namespace Retail.Postgres.Tests.Connection;

[Collection(SharedPostgres.Name)]
public sealed class RetailDataSourceFactoryTests(PostgresFixture fixture)
{
    [Fact]
    public async Task Create_WithTheConnectionString_ConnectsToThatDatabase()
    {
        var configuration = Configuration(("ConnectionStrings:retail-db", fixture.Server.ConnectionString));

        await using var dataSource = RetailDataSourceFactory.Create(configuration);
        await using var command = dataSource.CreateCommand("SELECT current_database()");

        Assert.Equal(fixture.Server.Database, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Create_PreparesRepeatedStatements_UnlessTheConnectionStringSaysOtherwise()
    {
        await using var prepared = RetailDataSourceFactory.Create(Configuration(("ConnectionStrings:retail-db", fixture.Server.ConnectionString)));
        await using var unprepared = RetailDataSourceFactory.Create(Configuration(("ConnectionStrings:retail-db", fixture.Server.ConnectionString + ";max auto prepare=0")));

        Assert.Equal(RetailDataSourceFactory.DefaultMaxAutoPrepare, new NpgsqlConnectionStringBuilder(prepared.ConnectionString).MaxAutoPrepare);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(unprepared.ConnectionString).MaxAutoPrepare);
        Assert.Equal(1, await PreparedStatementsAfterRepeatingOneAsync(prepared));
        Assert.Equal(0, await PreparedStatementsAfterRepeatingOneAsync(unprepared));
    }

    [Fact]
    public void Create_NothingConfigured_NamesTheMissingKeys()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => RetailDataSourceFactory.Create(Configuration()));

        Assert.Contains("ConnectionStrings:retail-db", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Postgres:UseEntraId", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EntraIdWithoutHost_IsRejected()
    {
        var configuration = Configuration(("Postgres:UseEntraId", "true"), ("Postgres:Database", "retail"), ("Postgres:Username", "retail-silo"));

        var exception = Assert.Throws<InvalidOperationException>(() => RetailDataSourceFactory.Create(configuration, new FixedTokenCredential()));

        Assert.Contains("Postgres:Host", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_EntraIdWithAPasswordInTheConnectionString_IsRejected()
    {
        var configuration = Configuration(
            ("ConnectionStrings:retail-db", "Host=db.example.com;Database=retail;Username=retail-silo;Password=secret"),
            ("Postgres:UseEntraId", "true"));

        var exception = Assert.Throws<InvalidOperationException>(() => RetailDataSourceFactory.Create(configuration, new FixedTokenCredential()));

        Assert.Contains("password", exception.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Create_EntraId_UsesTheHostDatabaseAndUserWithSslRequired()
    {
        var configuration = Configuration(
            ("Postgres:UseEntraId", "true"),
            ("Postgres:Host", "retail-db.postgres.database.azure.com"),
            ("Postgres:Database", "retail"),
            ("Postgres:Username", "retail-silo"));

        await using var dataSource = RetailDataSourceFactory.Create(configuration, new FixedTokenCredential());

        var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        Assert.Equal("retail-db.postgres.database.azure.com", settings.Host);
        Assert.Equal("retail", settings.Database);
        Assert.Equal("retail-silo", settings.Username);
        Assert.Equal(SslMode.Require, settings.SslMode);
        Assert.Null(settings.Password);
    }

    /// <summary>Runs one statement three times on one connection and counts what the server holds prepared for it.</summary>
    private static async Task<long> PreparedStatementsAfterRepeatingOneAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < 3; i++)
        {
            await using var repeated = new NpgsqlCommand("SELECT $1::int + 1", connection) { Parameters = { new NpgsqlParameter<int> { TypedValue = i } } };
            await repeated.ExecuteScalarAsync();
        }
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%$1::int + 1%'", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    private sealed class FixedTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new("token", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
