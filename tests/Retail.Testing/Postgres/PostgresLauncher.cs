using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Retail.Testing.Postgres;

/// <summary>
/// A private PostgreSQL server for test fixtures and benchmarks, started from the machine's binaries:
/// a fresh cluster in its own directory under the temp directory, listening on a free port on 127.0.0.1 only,
/// with scram-sha-256 authentication and a generated password. Disposing stops it and deletes the directory.
/// When the process runs as root the server runs as the <c>postgres</c> user, as PostgreSQL requires.
/// </summary>
public sealed class PostgresLauncher : IAsyncDisposable
{
    private const string ServerUser = "postgres";
    private const int StartAttempts = 3;

    private readonly bool runAsServerUser;
    private int disposed;

    private PostgresLauncher(string binDirectory, string rootDirectory, PostgresLauncherOptions options, string password, bool runAsServerUser)
    {
        BinDirectory = binDirectory;
        RootDirectory = rootDirectory;
        Database = options.Database;
        Username = options.Username;
        Password = password;
        this.runAsServerUser = runAsServerUser;
    }

    /// <summary>The directory holding initdb, pg_ctl and postgres.</summary>
    public string BinDirectory { get; }

    /// <summary>The private directory: the data directory, the socket directory and the server log.</summary>
    public string RootDirectory { get; }

    /// <summary>The cluster's data directory.</summary>
    public string DataDirectory => Path.Combine(RootDirectory, "data");

    /// <summary>The server log.</summary>
    public string LogFile => Path.Combine(RootDirectory, "server.log");

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The database created at start.</summary>
    public string Database { get; }

    /// <summary>The superuser's name.</summary>
    public string Username { get; }

    /// <summary>The superuser's generated password.</summary>
    public string Password { get; }

    /// <summary>A connection string for <see cref="Database"/>.</summary>
    public string ConnectionString => ConnectionStringFor(Database);

    /// <summary>Starts a new server and creates its database.</summary>
    /// <exception cref="PostgresNotFoundException">The PostgreSQL server binaries are not installed.</exception>
    public static async Task<PostgresLauncher> StartAsync(PostgresLauncherOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresLauncherOptions();
        var binDirectory = FindBinDirectory(options.BinDirectory);
        var root = Path.Combine(Path.GetTempPath(), "retail-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var launcher = new PostgresLauncher(binDirectory, root, options, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)), Environment.IsPrivilegedProcess);
        try
        {
            await launcher.InitializeAsync(options, cancellationToken);
            await launcher.StartServerAsync(options, cancellationToken);
            await launcher.CreateDatabaseAsync(options.Database, cancellationToken);
            return launcher;
        }
        catch
        {
            await launcher.DisposeAsync();
            throw;
        }
    }

    /// <summary>Finds the PostgreSQL server binaries, or returns null when they are not installed.</summary>
    public static string? TryFindBinDirectory(string? preferred = null)
    {
        if (preferred is not null)
        {
            return HasServerBinaries(preferred) ? preferred : null;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var highest = Directory.GetDirectories(debianRoot)
                .Select(dir => (Dir: Path.Combine(dir, "bin"), Version: decimal.TryParse(Path.GetFileName(dir), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(candidate => candidate.Version >= 0 && HasServerBinaries(candidate.Dir))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Dir)
                .FirstOrDefault();
            if (highest is not null)
            {
                return highest;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasServerBinaries);
    }

    /// <summary>Finds the PostgreSQL server binaries.</summary>
    /// <exception cref="PostgresNotFoundException">They are not installed.</exception>
    public static string FindBinDirectory(string? preferred = null) =>
        TryFindBinDirectory(preferred) ?? throw (preferred is null
            ? new PostgresNotFoundException()
            : new PostgresNotFoundException($"PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found in '{preferred}'."));

    /// <summary>A connection string for another database on this server.</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = IPAddress.Loopback.ToString(),
        Port = Port,
        Database = database,
        Username = Username,
        Password = Password,
    }.ConnectionString;

    /// <summary>Creates another database on this server and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres") + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        return ConnectionStringFor(name);
    }

    /// <summary>Stops the server (fast shutdown) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"], throwOnError: false, CancellationToken.None);
        }

        if (Directory.Exists(RootDirectory))
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
    }

    private async Task InitializeAsync(PostgresLauncherOptions options, CancellationToken cancellationToken)
    {
        var passwordFile = Path.Combine(RootDirectory, "password");
        await File.WriteAllTextAsync(passwordFile, Password, cancellationToken);
        Directory.CreateDirectory(Path.Combine(RootDirectory, "run"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(RootDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        if (runAsServerUser)
        {
            await RunProcessAsync("chown", ["-R", $"{ServerUser}:{ServerUser}", RootDirectory], throwOnError: true, cancellationToken);
        }

        List<string> arguments = ["-D", DataDirectory, "-U", Username, "--pwfile", passwordFile, "--auth", "scram-sha-256", "-E", "UTF8", "--no-locale"];
        if (!options.Durable)
        {
            arguments.Add("--no-sync");
        }

        await RunAsync("initdb", arguments, throwOnError: true, cancellationToken);
        File.Delete(passwordFile);

        var settings = new StringBuilder()
            .AppendLine()
            .AppendLine("# Written by Retail's PostgresLauncher")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = '{Quote(Path.Combine(RootDirectory, "run"))}'")
            .AppendLine("max_connections = 300")
            .AppendLine(CultureInfo.InvariantCulture, $"fsync = {(options.Durable ? "on" : "off")}");
        foreach (var (name, value) in options.ServerSettings)
        {
            settings.AppendLine(CultureInfo.InvariantCulture, $"{name} = '{Quote(value)}'");
        }

        await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), settings.ToString(), cancellationToken);
    }

    private async Task StartServerAsync(PostgresLauncherOptions options, CancellationToken cancellationToken)
    {
        var configuration = Path.Combine(DataDirectory, "postgresql.conf");
        for (var attempt = 1; ; attempt++)
        {
            Port = options.Port ?? FreeLoopbackPort();
            await File.AppendAllTextAsync(configuration, $"port = {Port.ToString(CultureInfo.InvariantCulture)}\n", cancellationToken);
            var seconds = ((int)Math.Ceiling(options.StartTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var (exitCode, output) = await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", seconds, "start"], throwOnError: false, cancellationToken);
            if (exitCode == 0)
            {
                break;
            }

            var log = File.Exists(LogFile) ? await File.ReadAllTextAsync(LogFile, cancellationToken) : string.Empty;
            var portTaken = log.Contains("Address already in use", StringComparison.Ordinal);
            if (!portTaken || attempt == StartAttempts || options.Port is not null)
            {
                throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl exited with {exitCode}).\n{output}\n{log}");
            }
        }

        await WaitUntilReadyAsync(options.StartTimeout, cancellationToken);
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres") + ";Pooling=false");
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
        }
    }

    private Task<(int ExitCode, string Output)> RunAsync(string tool, IReadOnlyList<string> arguments, bool throwOnError, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(BinDirectory, tool);
        return runAsServerUser
            ? RunProcessAsync("runuser", ["-u", ServerUser, "--", executable, .. arguments], throwOnError, cancellationToken)
            : RunProcessAsync(executable, arguments, throwOnError, cancellationToken);
    }

    private async Task<(int ExitCode, string Output)> RunProcessAsync(string fileName, IReadOnlyList<string> arguments, bool throwOnError, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RootDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = (await standardOutput) + (await standardError);
        if (throwOnError && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}");
        }

        return (process.ExitCode, output);
    }

    private static bool HasServerBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "initdb")) && File.Exists(Path.Combine(directory, "pg_ctl")) && File.Exists(Path.Combine(directory, "postgres"));

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}
