using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace Retail.Testing.RabbitMq;

/// <summary>
/// A private RabbitMQ node for tests, run from Debian's rabbitmq-server: its own node name, Erlang cookie, data and
/// log directories under the temp directory, and free loopback ports. As root it runs as the rabbitmq user. It can be
/// stopped and started again on the same data (a broker restart); disposing it stops it and deletes its directory.
/// Linked into every test project that needs a broker.
/// </summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string Control = "/usr/lib/rabbitmq/bin/rabbitmqctl";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string directory;
    private readonly string node;
    private readonly int distributionPort;
    private Process? server;

    private RabbitMqNode()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        node = $"retail-test-{id}@localhost";
        directory = Path.Combine(Path.GetTempPath(), $"retail-rabbitmq-{id}");
        (Port, distributionPort) = (FreePort(), FreePort());
    }

    public int Port { get; }

    public bool IsRunning => server is { HasExited: false };

    /// <summary>The value for <c>ConnectionStrings:messaging</c>.</summary>
    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public static async Task<RabbitMqNode> StartAsync()
    {
        var rabbit = new RabbitMqNode();
        try
        {
            Directory.CreateDirectory(Path.Combine(rabbit.directory, "home"));
            await File.WriteAllTextAsync(Path.Combine(rabbit.directory, "rabbitmq.conf"),
                $"listeners.tcp.default = 127.0.0.1:{rabbit.Port}\nloopback_users = none\ndisk_free_limit.absolute = 50MB\n");
            await File.WriteAllTextAsync(Path.Combine(rabbit.directory, "enabled_plugins"), "[].\n");
            if (Environment.IsPrivilegedProcess)
            {
                await RunAsync(new ProcessStartInfo("chown", ["-R", "rabbitmq:rabbitmq", rabbit.directory]));
            }

            await rabbit.StartAgainAsync();
            return rabbit;
        }
        catch
        {
            await rabbit.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the node on its data and port, and waits until it accepts an AMQP connection.</summary>
    public async Task StartAgainAsync()
    {
        server = Process.Start(StartInfo(Server)) ?? throw new InvalidOperationException("rabbitmq-server did not start.");
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var factory = new ConnectionFactory { Uri = new Uri(ConnectionString), AutomaticRecoveryEnabled = false };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !server.HasExited)
            {
                await Task.Delay(300);
            }
        }
    }

    /// <summary>Stops the node (<c>rabbitmqctl stop</c>), keeping its data.</summary>
    public async Task StopAsync()
    {
        if (server is not { HasExited: false })
        {
            return;
        }

        await RunAsync(StartInfo(Control, "-n", node, "stop"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await server.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            server.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        server?.Dispose();
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private ProcessStartInfo StartInfo(string program, params string[] arguments)
    {
        var start = Environment.IsPrivilegedProcess ? new ProcessStartInfo("runuser", ["-p", "-u", "rabbitmq", "--", program, .. arguments]) : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.WorkingDirectory = directory;
        start.Environment["HOME"] = Path.Combine(directory, "home");
        start.Environment["RABBITMQ_NODENAME"] = node;
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq.conf");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins");
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log");
        start.Environment["RABBITMQ_DIST_PORT"] = distributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return start;
    }

    private static async Task RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    /// <summary>A free loopback port outside 35672-35682, which rabbitmqctl takes its own distribution port from.</summary>
    private static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (port is < 35672 or > 35682)
            {
                return port;
            }
        }
    }
}
