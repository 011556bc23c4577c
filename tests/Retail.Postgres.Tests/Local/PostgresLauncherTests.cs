using Npgsql;
using Retail.Testing.Postgres;

namespace Retail.Postgres.Tests.Local;

[Collection(SharedPostgres.Name)]
public sealed class PostgresLauncherTests(PostgresFixture fixture)
{
    [Fact]
    public async Task StartAsync_DefaultOptions_ServesItsDatabaseOnLoopbackWithFsyncOn()
    {
        await using var connection = await fixture.DataSource.OpenConnectionAsync();

        Assert.Equal(1, await ScalarAsync<int>(connection, "SELECT 1"));
        Assert.Equal(fixture.Server.Database, await ScalarAsync<string>(connection, "SELECT current_database()"));
        Assert.Equal("127.0.0.1", await ScalarAsync<string>(connection, "SHOW listen_addresses"));
        Assert.Equal("on", await ScalarAsync<string>(connection, "SHOW fsync"));
        Assert.StartsWith(Path.GetTempPath(), fixture.Server.RootDirectory, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_StopsTheServerAndDeletesItsDirectory()
    {
        var options = new PostgresLauncherOptions { Database = "bench", Durable = false };
        options.ServerSettings["synchronous_commit"] = "off";
        var launcher = await PostgresLauncher.StartAsync(options);
        string synchronousCommit;
        await using (var connection = new NpgsqlConnection(launcher.ConnectionString + ";Pooling=false"))
        {
            await connection.OpenAsync();
            synchronousCommit = await ScalarAsync<string>(connection, "SHOW synchronous_commit");
        }

        await launcher.DisposeAsync();

        Assert.Equal("off", synchronousCommit);
        Assert.False(Directory.Exists(launcher.RootDirectory));
        await using var afterStop = new NpgsqlConnection(launcher.ConnectionString + ";Pooling=false;Timeout=3");
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => afterStop.OpenAsync());
    }

    [Fact]
    public async Task StartAsync_WrongPassword_IsRejected()
    {
        var builder = new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString) { Password = "wrong", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);

        var exception = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());

        Assert.Equal(PostgresErrorCodes.InvalidPassword, exception.SqlState);
    }

    [Fact]
    public void FindBinDirectory_DirectoryWithoutServerBinaries_ThrowsPostgresNotFound()
    {
        var empty = Directory.CreateTempSubdirectory().FullName;

        try
        {
            var exception = Assert.Throws<PostgresNotFoundException>(() => PostgresLauncher.FindBinDirectory(empty));
            Assert.Contains(empty, exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
