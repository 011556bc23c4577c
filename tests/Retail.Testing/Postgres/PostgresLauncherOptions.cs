namespace Retail.Testing.Postgres;

/// <summary>How <see cref="PostgresLauncher"/> starts a private PostgreSQL server.</summary>
public sealed class PostgresLauncherOptions
{
    /// <summary>The database created for the caller; the connection string points at it.</summary>
    public string Database { get; set; } = "retail";

    /// <summary>The superuser's name.</summary>
    public string Username { get; set; } = "retail";

    /// <summary>
    /// Where initdb, pg_ctl and postgres are; when null the highest version under /usr/lib/postgresql/*/bin,
    /// then PATH.
    /// </summary>
    public string? BinDirectory { get; set; }

    /// <summary>
    /// Keep <c>fsync</c> on (the default), as a production server does. Turning it off speeds up throwaway test
    /// servers but loses data on a machine crash.
    /// </summary>
    public bool Durable { get; set; } = true;

    /// <summary>Further server settings written to postgresql.conf, e.g. <c>synchronous_commit=off</c> for a benchmark.</summary>
    public IDictionary<string, string> ServerSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The loopback port to listen on; when null a free one is chosen.</summary>
    public int? Port { get; set; }

    /// <summary>How long to wait for the server to accept connections.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
