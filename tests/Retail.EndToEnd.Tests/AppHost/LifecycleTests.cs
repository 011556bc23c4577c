using System.Diagnostics;
using System.Globalization;
using System.Net;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.AppHost;

/// <summary>
/// The app's life on its own AppHost run: its services' /health while PostgreSQL or the broker is down and after they
/// return, then the stop, which must leave nothing behind. Written in the order they run: the last one ends the app.
/// </summary>
[Collection(IsolatedAppCollection.Name)]
[TestCaseOrderer(DeclarationOrderer.TypeName, DeclarationOrderer.AssemblyName)]
public sealed class LifecycleTests(IsolatedAppFixture fixture)
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);
    private static readonly string[] Services = ["api", "silo", "functions"];
    private static readonly string[] BrokerClients = ["silo", "functions"];
    private static readonly string[] SingleProcesses = ["postgres", "beam", "epmd", "api", "functions", "simulator"];

    [Fact]
    public async Task Health_PostgresOrBrokerDown_UnhealthyWhereNeededAndHealthyAfterItReturns()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await WaitForHealthAsync(HttpStatusCode.OK, "everything running", timeout.Token);

        // PostgreSQL stopped by its process id (a fast shutdown, as a crash or an operator would), started again from its resource command.
        var postgres = Assert.Single(await fixture.App.ProcessIdsAsync("postgres", timeout.Token));
        await SignalAsync(postgres, "INT");
        await WaitForHealthAsync(HttpStatusCode.ServiceUnavailable, "PostgreSQL down", timeout.Token);
        await fixture.App.ExecuteAsync("postgres", KnownResourceCommands.StartCommand, timeout.Token);
        await WaitForHealthAsync(HttpStatusCode.OK, "PostgreSQL back", timeout.Token);

        // The broker stopped and started through its resource commands, as the dashboard's Stop and Start buttons do. The
        // silo (its outbox relay publishes) and the bridge (it consumes the ERP queue) need it; the API does not (an order
        // it takes is stored with its effects in the outbox), so it stays ready.
        await fixture.App.ExecuteAsync("rabbitmq", KnownResourceCommands.StopCommand, timeout.Token);
        await WaitForHealthAsync(HttpStatusCode.ServiceUnavailable, "RabbitMQ down", timeout.Token, BrokerClients);
        await WaitForHealthAsync(HttpStatusCode.OK, "RabbitMQ down, the API", timeout.Token, ["api"]);
        await fixture.App.ExecuteAsync("rabbitmq", KnownResourceCommands.StartCommand, timeout.Token);
        await WaitForHealthAsync(HttpStatusCode.OK, "RabbitMQ back", timeout.Token);
    }

    [Fact]
    public async Task Stop_WhileRunning_LeavesNoProcessAndRemovesTheStateFiles()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await fixture.App.ExecuteAsync("simulator", KnownResourceCommands.StartCommand, timeout.Token);
        await fixture.App.ResourceNotifications.WaitForResourceAsync("simulator", KnownResourceStates.Running, timeout.Token);
        Assert.True(File.Exists(fixture.EndpointsFile) && File.Exists(fixture.DevTokenFile), "The state files were not written.");
        var started = StartedByTheApp();
        var kinds = started.Select(Kind).OfType<string>().ToList();
        Assert.True(
            kinds.Count(kind => kind == "silo") == 2 && SingleProcesses.All(kinds.Contains),
            "Expected postgres, beam (RabbitMQ), epmd, two silos, the api, the bridge and the simulator; found:\n" + string.Join("\n", started));

        await fixture.StopAsync();

        var deadline = DateTime.UtcNow + StopTimeout;
        List<ProcessInfo> left;
        do
        {
            await Task.Delay(500);
            left = [.. started.Where(process => process.IsAlive()).Concat(StartedByTheApp()).DistinctBy(process => process.Pid)];
        }
        while (left.Count > 0 && DateTime.UtcNow < deadline);
        Assert.True(left.Count == 0, "Left running after the app stopped:\n" + string.Join("\n", left));
        var busy = fixture.Settings.Ports.Where(port => !FreePorts.IsFree(port.Value)).Select(port => $"{port.Key} {port.Value}").ToList();
        Assert.True(busy.Count == 0, "Ports still taken: " + string.Join(", ", busy));
        Assert.False(File.Exists(fixture.EndpointsFile), "endpoints.json was left behind.");
        Assert.False(File.Exists(fixture.DevTokenFile), "dev-token was left behind.");
    }

    /// <summary>
    /// Every process of this app, found by what it is rather than by the ids the AppHost reports: PostgreSQL and RabbitMQ by
    /// their data directories under the app's state directory, epmd by its port, the services by the database or broker
    /// address the AppHost gave them, and everything those processes started.
    /// </summary>
    private List<ProcessInfo> StartedByTheApp()
    {
        var state = fixture.Settings.StateDirectory;
        var broker = fixture.Settings.Ports["Broker"].ToString(CultureInfo.InvariantCulture);
        var database = $";Port={fixture.Settings.Ports["Postgres"].ToString(CultureInfo.InvariantCulture)};";
        var portMapper = $"epmd -port {fixture.Settings.Ports["BrokerPortMapper"].ToString(CultureInfo.InvariantCulture)}";
        return ProcessTable.WithDescendants(process =>
            process.Pid != Environment.ProcessId
            && (process.CommandLine.Contains(state, StringComparison.Ordinal)
                || process.CommandLine.EndsWith(portMapper, StringComparison.Ordinal)
                || process.Environment.Split('\n').Any(variable =>
                    (variable.StartsWith("ConnectionStrings__messaging=", StringComparison.Ordinal) && variable.EndsWith(":" + broker, StringComparison.Ordinal))
                    || (variable.StartsWith("ConnectionStrings__retail-db=", StringComparison.Ordinal) && variable.Contains(database, StringComparison.Ordinal)))));
    }

    private static string? Kind(ProcessInfo process) => process.CommandLine switch
    {
        var line when line.Contains("/bin/postgres ", StringComparison.Ordinal) && line.Contains(" -D ", StringComparison.Ordinal) => "postgres",
        var line when line.Contains("beam.smp", StringComparison.Ordinal) => "beam",
        var line when line.StartsWith("epmd ", StringComparison.Ordinal) => "epmd",
        var line when line.Contains("Retail.Silo.dll", StringComparison.Ordinal) || line.EndsWith("/Retail.Silo", StringComparison.Ordinal) => "silo",
        var line when line.Contains("Retail.Api.dll", StringComparison.Ordinal) || line.EndsWith("/Retail.Api", StringComparison.Ordinal) => "api",
        var line when line.Contains("Retail.Functions.dll", StringComparison.Ordinal) || line.EndsWith("/Retail.Functions", StringComparison.Ordinal) => "functions",
        var line when line.Contains("Retail.Tools", StringComparison.Ordinal) && line.Contains("simulate", StringComparison.Ordinal) => "simulator",
        _ => null,
    };

    /// <summary>Waits until /health of the services (default: the api, a silo and the bridge) all answer <paramref name="expected"/>.</summary>
    private async Task WaitForHealthAsync(HttpStatusCode expected, string situation, CancellationToken cancellationToken, string[]? services = null)
    {
        services ??= Services;
        var clients = services.ToDictionary(service => service, service => fixture.App.CreateHttpClient(service, "http"), StringComparer.Ordinal);
        try
        {
            var deadline = DateTime.UtcNow + HealthTimeout;
            var answers = new Dictionary<string, string>(StringComparer.Ordinal);
            while (true)
            {
                foreach (var (service, client) in clients)
                {
                    answers[service] = await HealthAsync(client, cancellationToken);
                }
                if (answers.Values.All(answer => answer.StartsWith(((int)expected).ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal)))
                {
                    return;
                }
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"{situation}: expected /health {(int)expected} from {string.Join(", ", services)} within {HealthTimeout}; last answers:\n"
                        + string.Join("\n", answers.Select(answer => $"{answer.Key}: {answer.Value}")));
                }
                await Task.Delay(1000, cancellationToken);
            }
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<string> HealthAsync(HttpClient client, CancellationToken cancellationToken)
    {
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(15));
            using var response = await client.GetAsync("health", attempt.Token);
            return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(attempt.Token)}";
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return "no answer: " + exception.Message;
        }
    }

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-s", signal, pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }
}
