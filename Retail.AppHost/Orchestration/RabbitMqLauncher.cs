using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace Retail.AppHost.Orchestration;

/// <summary>
/// Runs a private RabbitMQ node from the machine's binaries (Debian's rabbitmq-server): its own node name, data, log
/// and config directories under the temp directory, loopback ports for AMQP and management (given, or free ones) and a
/// free one for Erlang distribution, and the management plugin. Runs as the <c>rabbitmq</c> user when
/// started as root. Used by the distributed mode; dispose it to stop the node and delete its
/// directories.
/// <para>
/// It does not clash with a system RabbitMQ: the node name is unique, the Erlang cookie lives in the node's own home
/// directory, and no port is one of the system node's (5672, 15672, 25672) unless asked for. The node registers with
/// the machine's epmd on port 4369 like every Erlang node; epmd only maps node names to distribution ports, so a
/// system node and this one share it without conflict. Free ports are never taken from the range 35672-35682 that
/// rabbitmqctl uses for its own distribution port.
/// </para>
/// </summary>
internal sealed partial class RabbitMqLauncher : IAsyncDisposable
{
    private const string ServiceUser = "rabbitmq";
    private static readonly string[] BinaryDirectories = ["/usr/lib/rabbitmq/bin", "/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The ports rabbitmqctl takes its own Erlang distribution port from (rabbitmq-env's defaults).</summary>
    private const int CliDistributionPortMin = 35672;
    private const int CliDistributionPortMax = 35682;
    private readonly ILogger logger;
    private readonly string serverPath;
    private readonly string controlPath;
    private readonly Queue<string> output = new();
    private Process? server;
    private bool disposed;

    private RabbitMqLauncher(string serverPath, string controlPath, RabbitMqLauncherOptions options, ILogger logger)
    {
        this.serverPath = serverPath;
        this.controlPath = controlPath;
        this.logger = logger;
        var id = Guid.NewGuid().ToString("N")[..12];
        NodeName = $"retail-{id}@localhost";
        BaseDirectory = Path.Combine(Path.GetTempPath(), $"retail-rabbitmq-{id}");
        var ports = ChoosePorts(options.AmqpPort, options.ManagementPort, null);
        (AmqpPort, ManagementPort, DistributionPort) = (ports[0], ports[1], ports[2]);
    }

    /// <summary>The Erlang node name, <c>retail-&lt;id&gt;@localhost</c>.</summary>
    public string NodeName { get; }

    /// <summary>The node's private directory (config, data, logs); deleted on dispose.</summary>
    public string BaseDirectory { get; }

    public int AmqpPort { get; }

    public int ManagementPort { get; }

    public int DistributionPort { get; }

    /// <summary>User and password are RabbitMQ's defaults (<c>guest</c>), reachable on loopback only.</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@127.0.0.1:{AmqpPort}");

    public Uri ManagementUri => new($"http://127.0.0.1:{ManagementPort}");

    /// <summary>The value for <c>ConnectionStrings:messaging</c>.</summary>
    public string ConnectionString => AmqpUri.ToString().TrimEnd('/');

    /// <summary>Whether the node's server process runs (it is stopped by <see cref="StopNodeAsync"/>).</summary>
    public bool IsRunning => server is { HasExited: false };

    /// <summary>Whether rabbitmq-server and rabbitmqctl are installed on this machine.</summary>
    public static bool IsInstalled => FindBinary("rabbitmq-server") is not null && FindBinary("rabbitmqctl") is not null;

    /// <summary>Starts a new private node and waits until its AMQP and management listeners answer.</summary>
    /// <exception cref="ArgumentException">A given port is out of range, or the two given ports are the same.</exception>
    /// <exception cref="InvalidOperationException">
    /// rabbitmq-server is not installed, a given port is in use, or the node did not start.
    /// </exception>
    public static async Task<RabbitMqLauncher> StartAsync(RabbitMqLauncherOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new RabbitMqLauncherOptions();
        Validate(options);
        var serverPath = FindBinary("rabbitmq-server");
        var controlPath = FindBinary("rabbitmqctl");
        if (serverPath is null || controlPath is null)
        {
            throw new InvalidOperationException(
                "rabbitmq-server is not installed (looked for rabbitmq-server and rabbitmqctl in " + string.Join(", ", BinaryDirectories)
                + "). Install it, e.g. `apt-get install rabbitmq-server`, then stop the system service it starts.");
        }

        var launcher = new RabbitMqLauncher(serverPath, controlPath, options, logger ?? NullLogger.Instance);
        try
        {
            await launcher.PrepareDirectoriesAsync(cancellationToken);
            await launcher.StartNodeAsync(cancellationToken);
            return launcher;
        }
        catch
        {
            await launcher.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the node (again) on the same directories and ports, and waits until it is ready.</summary>
    public async Task StartNodeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (server is { HasExited: false })
        {
            throw new InvalidOperationException($"Node {NodeName} is already running.");
        }

        lock (output)
        {
            output.Clear();
        }

        server?.Dispose();
        server = Process.Start(CreateStartInfo(serverPath, [])) ?? throw new InvalidOperationException("rabbitmq-server did not start.");
        server.OutputDataReceived += (_, line) => Remember(line.Data);
        server.ErrorDataReceived += (_, line) => Remember(line.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        LogStarting(logger, NodeName, AmqpPort, ManagementPort);
        await WaitUntilReadyAsync(cancellationToken);
        LogStarted(logger, NodeName);
    }

    /// <summary>Stops the node with <c>rabbitmqctl stop</c>, keeping its directories so it can be started again.</summary>
    public async Task StopNodeAsync(CancellationToken cancellationToken = default)
    {
        if (server is null || server.HasExited)
        {
            return;
        }

        var (exitCode, text) = await RunControlAsync(["-n", NodeName, "stop"], cancellationToken);
        if (exitCode != 0)
        {
            LogStopFailed(logger, NodeName, text);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await server.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            await StopNodeAsync();
        }
        finally
        {
            server?.Dispose();
            if (Directory.Exists(BaseDirectory))
            {
                Directory.Delete(BaseDirectory, recursive: true);
            }
        }
    }

    private static string? FindBinary(string name) =>
        BinaryDirectories.Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);

    private static void Validate(RabbitMqLauncherOptions options)
    {
        foreach (var (name, port) in new[] { (nameof(options.AmqpPort), options.AmqpPort), (nameof(options.ManagementPort), options.ManagementPort) })
        {
            if (port is < 1 or > IPEndPoint.MaxPort)
            {
                throw new ArgumentException($"{name} {port} is not a TCP port (1-{IPEndPoint.MaxPort}).", nameof(options));
            }
        }

        if (options.AmqpPort is { } amqp && amqp == options.ManagementPort)
        {
            throw new ArgumentException($"AmqpPort and ManagementPort are both {amqp}; they must differ.", nameof(options));
        }
    }

    /// <summary>
    /// The given ports, each checked to be free, and distinct free ones for the others: all are held open together
    /// while choosing, so no two come out the same.
    /// </summary>
    private static int[] ChoosePorts(params int?[] wanted)
    {
        var listeners = new List<TcpListener>();
        try
        {
            foreach (var port in wanted.Where(port => port is not null))
            {
                listeners.Add(Listen(port!.Value) ?? throw new InvalidOperationException(
                    $"Port {port} on 127.0.0.1 is in use; stop what uses it or choose another port for the private RabbitMQ."));
            }

            return [.. wanted.Select(port => port ?? Port(AddFreeListener(listeners)))];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    private static TcpListener AddFreeListener(List<TcpListener> listeners)
    {
        while (true)
        {
            var listener = Listen(0)!;
            listeners.Add(listener);
            if (Port(listener) is < CliDistributionPortMin or > CliDistributionPortMax)
            {
                return listener;
            }
        }
    }

    private static TcpListener? Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            listener.Dispose();
            return null;
        }
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    private string HomeDirectory => Path.Combine(BaseDirectory, "home");

    private string ConfigFile => Path.Combine(BaseDirectory, "rabbitmq.conf");

    private async Task PrepareDirectoriesAsync(CancellationToken cancellationToken)
    {
        foreach (var directory in new[] { BaseDirectory, HomeDirectory, Path.Combine(BaseDirectory, "mnesia"), Path.Combine(BaseDirectory, "log") })
        {
            Directory.CreateDirectory(directory);
        }

        await File.WriteAllTextAsync(ConfigFile, $"""
            listeners.tcp.default = 127.0.0.1:{AmqpPort}
            loopback_users = none
            management.tcp.port = {ManagementPort}
            management.tcp.ip = 127.0.0.1
            disk_free_limit.absolute = 50MB

            """, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(BaseDirectory, "enabled_plugins"), "[rabbitmq_management].\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(BaseDirectory, "rabbitmq-env.conf"), "", cancellationToken);
        if (Environment.IsPrivilegedProcess)
        {
            var (exitCode, text) = await RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", BaseDirectory], cancellationToken);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"Could not give {BaseDirectory} to the {ServiceUser} user: {text}");
            }
        }
    }

    /// <summary>As root the node runs as the rabbitmq user (its environment kept); otherwise as the current user.</summary>
    private ProcessStartInfo CreateStartInfo(string path, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = BaseDirectory,
        };
        if (Environment.IsPrivilegedProcess)
        {
            startInfo.FileName = "runuser";
            foreach (var argument in new[] { "-p", "-u", ServiceUser, "--", path })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        else
        {
            startInfo.FileName = path;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["HOME"] = HomeDirectory;
        startInfo.Environment["RABBITMQ_NODENAME"] = NodeName;
        startInfo.Environment["RABBITMQ_CONFIG_FILE"] = ConfigFile;
        startInfo.Environment["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(BaseDirectory, "rabbitmq-env.conf");
        startInfo.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(BaseDirectory, "enabled_plugins");
        startInfo.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(BaseDirectory, "mnesia");
        startInfo.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(BaseDirectory, "log");
        startInfo.Environment["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return startInfo;
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        var deadline = DateTimeOffset.UtcNow + StartTimeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (server!.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server for node {NodeName} exited with code {server.ExitCode}:\n{RecentOutput()}");
            }

            if (await AnswersAsync(http, cancellationToken))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        throw new InvalidOperationException($"RabbitMQ node {NodeName} was not ready within {StartTimeout}:\n{RecentOutput()}");
    }

    private async Task<bool> AnswersAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(ManagementUri, "/api/overview"), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            using var amqp = new TcpClient();
            await amqp.ConnectAsync(IPAddress.Loopback, AmqpPort, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is HttpRequestException or SocketException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private Task<(int ExitCode, string Output)> RunControlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        RunProcessAsync(CreateStartInfo(controlPath, arguments), cancellationToken);

    private static Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return RunProcessAsync(startInfo, cancellationToken);
    }

    private static async Task<(int ExitCode, string Output)> RunProcessAsync(ProcessStartInfo startInfo, CancellationToken cancellationToken)
    {
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{startInfo.FileName} did not start.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, (await standardOutput) + (await standardError));
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Enqueue(line);
            while (output.Count > 60)
            {
                output.Dequeue();
            }
        }
    }

    private string RecentOutput()
    {
        lock (output)
        {
            return string.Join('\n', output);
        }
    }

    [LoggerMessage(EventId = 2601, Level = LogLevel.Information, Message = "Starting RabbitMQ node {Node} (AMQP port {AmqpPort}, management port {ManagementPort})")]
    private static partial void LogStarting(ILogger logger, string node, int amqpPort, int managementPort);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Information, Message = "RabbitMQ node {Node} is ready")]
    private static partial void LogStarted(ILogger logger, string node);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Warning, Message = "rabbitmqctl stop for {Node} failed: {Output}")]
    private static partial void LogStopFailed(ILogger logger, string node, string output);
}
