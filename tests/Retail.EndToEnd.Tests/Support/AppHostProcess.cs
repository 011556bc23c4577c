using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>
/// The AppHost run as a user runs it (<c>dotnet Retail.AppHost.dll</c> from its own bin directory) on free ports and a
/// private state directory, with its output captured for failure messages.
/// </summary>
internal sealed partial class AppHostProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppHostProcess(Process process, AppHostPorts ports, string stateDirectory)
    {
        _process = process;
        Ports = ports;
        StateDirectory = stateDirectory;
    }

    public AppHostPorts Ports { get; }

    public string StateDirectory { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public string EndpointsFile => Path.Combine(StateDirectory, "endpoints.json");

    public IReadOnlyDictionary<string, string> Endpoints { get; private set; } = new Dictionary<string, string>();

    /// <summary>Child name (silo-1, silo-2, api, bridge) -> pid.</summary>
    public IReadOnlyDictionary<string, int> Processes { get; private set; } = new Dictionary<string, int>();

    public string Token { get; private set; } = "";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the AppHost and waits until it has written endpoints.json, processes.json and dev-token.</summary>
    public static async Task<AppHostProcess> StartAsync(params string[] extraArguments)
    {
        var ports = AppHostPorts.Allocate();
        var stateDirectory = Path.Combine(Path.GetTempPath(), "retail-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(stateDirectory);
        var appHost = AppHostAssembly();
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(appHost)!,
        };
        foreach (var argument in new[] { appHost }.Concat(ports.Arguments).Concat(["--state-dir", stateDirectory]).Concat(extraArguments))
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in TestSecrets.Environment)
        {
            startInfo.Environment[key] = value;
        }
        var process = new Process { StartInfo = startInfo };
        var host = new AppHostProcess(process, ports, stateDirectory);
        process.OutputDataReceived += (_, line) => host.Append(line.Data);
        process.ErrorDataReceived += (_, line) => host.Append(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host.WaitUntilRunningAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilRunningAsync()
    {
        var tokenFile = Path.Combine(StateDirectory, "dev-token");
        var processesFile = Path.Combine(StateDirectory, "processes.json");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!File.Exists(tokenFile))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited with code {_process.ExitCode} before it was running.\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The AppHost did not write {tokenFile} within {StartTimeout}.\n{Output}");
            }
            await Task.Delay(500);
        }
        Token = (await File.ReadAllTextAsync(tokenFile)).Trim();
        Endpoints = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(EndpointsFile))!;
        if (File.Exists(processesFile))
        {
            Processes = JsonSerializer.Deserialize<Dictionary<string, int>>(await File.ReadAllTextAsync(processesFile))!;
        }
    }

    public Uri Endpoint(string service) =>
        Endpoints.TryGetValue(service, out var url) ? new Uri(url.TrimEnd('/') + "/") : throw new KeyNotFoundException($"endpoints.json has no '{service}': {string.Join(", ", Endpoints.Keys)}");

    public HttpClient CreateClient(string service, bool authenticated = true)
    {
        var client = new HttpClient { BaseAddress = Endpoint(service), Timeout = TimeSpan.FromSeconds(60) };
        if (authenticated)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        }
        return client;
    }

    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Waits for the AppHost to exit; false when it has not within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Stops the AppHost as Ctrl+C does; kills it with its children if it does not stop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(SigInt);
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(120)))
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>Retail.AppHost.dll in its own bin directory, built in the same configuration as these tests.</summary>
    private static string AppHostAssembly()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testDirectory.Name;
        var configuration = testDirectory.Parent!.Name;
        for (var directory = testDirectory; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Retail.sln")))
            {
                var path = Path.Combine(directory.FullName, "Retail.AppHost", "bin", configuration, framework, "Retail.AppHost.dll");
                return File.Exists(path) ? path : throw new FileNotFoundException($"The AppHost is not built at {path}.", path);
            }
        }
        throw new InvalidOperationException($"Retail.sln was not found above {AppContext.BaseDirectory}.");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);
}

/// <summary>The ports one AppHost is given.</summary>
internal sealed record AppHostPorts(int Api, int Bridge, int SiloHttp, int Silo, int Gateway, int Dashboard, int Postgres, int Broker, int BrokerManagement)
{
    public static AppHostPorts Allocate() => new(FreePorts.One(), FreePorts.One(), FreePorts.Pair(), FreePorts.Pair(), FreePorts.Pair(),
        FreePorts.One(), FreePorts.One(), FreePorts.One(), FreePorts.One());

    public IEnumerable<string> Arguments =>
    [
        "--api-port", Text(Api), "--bridge-port", Text(Bridge), "--silo-http-port", Text(SiloHttp), "--silo-port", Text(Silo),
        "--gateway-port", Text(Gateway), "--dashboard-port", Text(Dashboard), "--postgres-port", Text(Postgres),
        "--broker-port", Text(Broker), "--broker-management-port", Text(BrokerManagement),
    ];

    /// <summary>Every port the AppHost was asked to use (both silos').</summary>
    public IEnumerable<int> All => [Api, Bridge, SiloHttp, SiloHttp + 1, Silo, Silo + 1, Gateway, Gateway + 1, Dashboard, Postgres];

    private static string Text(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
