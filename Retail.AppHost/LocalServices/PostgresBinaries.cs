using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;

namespace Retail.AppHost.LocalServices;

/// <summary>
/// A private PostgreSQL from Debian's binaries as an executable resource: its data directory under the state directory
/// (<c>.retail/postgres</c>), initialised once, listening on 127.0.0.1 only, with a password made at initialisation.
/// As root it runs as the <c>postgres</c> user (PostgreSQL refuses root), through <see cref="ServiceUser"/>.
/// </summary>
public static class PostgresBinaries
{
    private const string ServerUser = "postgres";
    private const string Username = "retail";
    private const string DatabaseName = "retail";

    /// <summary>The directory with initdb and postgres, newest version first; null when PostgreSQL is not installed.</summary>
    public static string? Find() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(version => Path.Combine(version, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault()
            : null;

    public static (IResourceBuilder<IResourceWithConnectionString> Database, IResourceBuilder<IResource> Server) AddPostgresBinaries(
        this IDistributedApplicationBuilder builder, RetailPorts ports, StateDirectory state)
    {
        var bin = Find() ?? throw new InvalidOperationException("PostgreSQL server binaries were not found in /usr/lib/postgresql/*/bin: apt-get install postgresql.");
        var root = state.Subdirectory("postgres");
        var data = Path.Combine(root, "data");
        var socket = Path.Combine(root, "run");
        var password = new PasswordFile(Path.Combine(root, "password"));
        string[] serverArguments = [Path.Combine(bin, "postgres"), "-D", data, "-k", socket, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"];
        var (command, arguments) = AsServerUser(serverArguments);

        var server = builder.AddExecutable("postgres", command, root, arguments)
            .WithEndpoint(port: ports.Postgres, name: "tcp", scheme: "tcp", env: "PGPORT", isProxied: false)
            .WithIconName("Database");
        var endpoint = server.GetEndpoint("tcp");
        var healthCheck = "postgres-accepts-connections";
        server.WithHealthCheck(healthCheck);

        var connectionString = ReferenceExpression.Create(
            $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username={Username};Password={password.Value};Database={DatabaseName}");
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(await connectionString.GetValueAsync(cancellationToken) + ";Pooling=false;Timeout=3");
                await connection.OpenAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (NpgsqlException exception)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        });
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server.Resource, async (_, cancellationToken) =>
            await InitialiseOnceAsync(bin, root, data, socket, password, cancellationToken));

        var database = builder.AddConnectionString(BackingServices.DatabaseName, connectionString)
            .WithOrleansProviderType(BackingServices.OrleansProviderType)
            .WithParentRelationship(server);
        return (database, server);
    }

    /// <summary>initdb and the database, the first time only; the data directory then stays for the next run.</summary>
    private static async Task InitialiseOnceAsync(string bin, string root, string data, string socket, PasswordFile password, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(socket);
        if (File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            await ChownAsync(root, cancellationToken);
            return;
        }
        var passwordFile = Path.Combine(root, "initdb-password");
        await File.WriteAllTextAsync(passwordFile, password.Value, cancellationToken);
        await ChownAsync(root, cancellationToken);
        try
        {
            await RunAsync(AsServerUser([Path.Combine(bin, "initdb"), "-D", data, "-U", Username, "--pwfile", passwordFile, "--auth", "scram-sha-256", "-E", "UTF8", "--no-locale"]), null, cancellationToken);
            await RunAsync(AsServerUser([Path.Combine(bin, "postgres"), "--single", "-D", data, "postgres"]), $"CREATE DATABASE {DatabaseName};\n", cancellationToken);
        }
        catch
        {
            Directory.Delete(data, recursive: true);
            throw;
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static (string Command, string[] Arguments) AsServerUser(string[] command) => ServiceUser.Command(ServerUser, command);

    private static Task ChownAsync(string directory, CancellationToken cancellationToken) => ServiceUser.ChownAsync(ServerUser, directory, cancellationToken);

    private static Task RunAsync((string Command, string[] Arguments) command, string? input, CancellationToken cancellationToken) =>
        ServiceUser.RunAsync(command, input, cancellationToken);

    /// <summary>The server's password: made once and kept beside the data directory (owner-only), read on every run.</summary>
    private sealed class PasswordFile(string path)
    {
        private readonly Lazy<string> value = new(() =>
        {
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
            }
            return File.ReadAllText(path).Trim();
        });

        public string Value => value.Value;
    }
}
