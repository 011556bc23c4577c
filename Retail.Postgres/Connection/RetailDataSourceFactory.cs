using System.Data.Common;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Retail.Postgres.Connection;

/// <summary>
/// Builds Retail's one <see cref="NpgsqlDataSource"/> from configuration: <c>ConnectionStrings:retail-db</c>
/// locally, or <c>Postgres:Host</c>, <c>Postgres:Database</c>, <c>Postgres:Username</c> with
/// <c>Postgres:UseEntraId=true</c> in Azure, where the password is an Entra ID access token renewed periodically.
/// Grain storage, reminders and membership repeat a handful of statements, so each connection prepares the ones it
/// runs repeatedly (<see cref="DefaultMaxAutoPrepare"/>) unless the connection string sets <c>Max Auto Prepare</c>
/// itself (0 turns it off, e.g. behind a pooler in transaction mode).
/// </summary>
public static class RetailDataSourceFactory
{
    /// <summary>The connection string name in <c>ConnectionStrings</c>.</summary>
    public const string ConnectionStringName = "retail-db";

    /// <summary>The token scope of Azure Database for PostgreSQL.</summary>
    public const string EntraIdScope = "https://ossrdbms-aad.database.windows.net/.default";

    /// <summary>How many statements each connection prepares when the connection string does not say.</summary>
    public const int DefaultMaxAutoPrepare = 32;

    private static readonly TimeSpan TokenRefreshInterval = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan TokenRetryInterval = TimeSpan.FromSeconds(10);

    /// <summary>Creates the data source described by <paramref name="configuration"/>.</summary>
    /// <param name="configuration">The application's configuration.</param>
    /// <param name="credential">The Entra ID credential; <see cref="DefaultAzureCredential"/> when null.</param>
    /// <param name="connectionStringName">The name in <c>ConnectionStrings</c> (an Orleans provider's <c>ServiceKey</c>).</param>
    public static NpgsqlDataSource Create(IConfiguration configuration, TokenCredential? credential = null, string connectionStringName = ConnectionStringName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Postgres");
        var useEntraId = section.GetValue<bool>("UseEntraId");
        var connectionString = configuration.GetConnectionString(connectionStringName);

        if (string.IsNullOrWhiteSpace(connectionString) && !useEntraId)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is not configured: set ConnectionStrings:{connectionStringName}, or Postgres:Host, " +
                "Postgres:Database, Postgres:Username and Postgres:UseEntraId=true.");
        }

        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= "retail";
        if (!Names(connectionString, "Max Auto Prepare"))
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = DefaultMaxAutoPrepare;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }
        if (useEntraId)
        {
            ConfigureEntraId(builder, section, credential ?? new DefaultAzureCredential());
        }

        return builder.Build();
    }

    /// <summary>Whether the connection string sets <paramref name="keyword"/> (in any spelling Npgsql accepts: case and spaces aside).</summary>
    private static bool Names(string? connectionString, string keyword)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString ?? string.Empty };
        var wanted = keyword.Replace(" ", string.Empty, StringComparison.Ordinal);
        return given.Keys.Cast<string>().Any(k => string.Equals(k.Replace(" ", string.Empty, StringComparison.Ordinal), wanted, StringComparison.OrdinalIgnoreCase));
    }

    private static void ConfigureEntraId(NpgsqlDataSourceBuilder builder, IConfigurationSection section, TokenCredential credential)
    {
        var settings = builder.ConnectionStringBuilder;
        settings.Host = section["Host"] ?? settings.Host;
        settings.Database = section["Database"] ?? settings.Database;
        settings.Username = section["Username"] ?? settings.Username;
        if (string.IsNullOrWhiteSpace(settings.Host) || string.IsNullOrWhiteSpace(settings.Database) || string.IsNullOrWhiteSpace(settings.Username))
        {
            throw new InvalidOperationException(
                "Postgres:UseEntraId needs Postgres:Host, Postgres:Database and Postgres:Username.");
        }

        if (!string.IsNullOrEmpty(settings.Password))
        {
            throw new InvalidOperationException(
                "Postgres:UseEntraId authenticates with a token: remove the password from the connection string.");
        }

        if (settings.SslMode is SslMode.Disable or SslMode.Allow or SslMode.Prefer)
        {
            settings.SslMode = SslMode.Require;
        }

        var context = new TokenRequestContext([EntraIdScope]);
        builder.UsePeriodicPasswordProvider(
            async (_, cancellationToken) => (await credential.GetTokenAsync(context, cancellationToken)).Token,
            TokenRefreshInterval,
            TokenRetryInterval);
    }
}
