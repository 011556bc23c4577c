using System.Globalization;
using Aspire.Hosting;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.AppHost;

public sealed class ShutdownTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Stop_WhileRunning_LeavesNoProcessAndRemovesTheStateFiles()
    {
        var settings = RetailAppHost.NewSettings("Binaries");
        var builder = await RetailAppHost.CreateBuilderAsync(settings);
        var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("functions", timeout.Token);
        var endpoints = Path.Combine(settings.StateDirectory, "endpoints.json");
        var token = Path.Combine(settings.StateDirectory, "dev-token");
        while (!File.Exists(token))
        {
            await Task.Delay(200, timeout.Token);
        }
        var processes = await ProcessesAsync(app, timeout.Token);
        Assert.True(processes.Count >= 7, "Expected postgres, epmd, rabbitmq, two silos, api and functions; got " + string.Join(", ", processes.Keys));

        await app.StopAsync();
        await app.DisposeAsync();

        var running = await StillRunningAsync(processes);
        Assert.Empty(running);
        Assert.False(File.Exists(endpoints), "endpoints.json was left behind.");
        Assert.False(File.Exists(token), "dev-token was left behind.");
        Directory.Delete(settings.StateDirectory, recursive: true);
    }

    /// <summary>Every running resource's process id, as the AppHost's resource snapshots give it.</summary>
    private static async Task<Dictionary<string, int>> ProcessesAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var processes = new Dictionary<string, int>(StringComparer.Ordinal);
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        settle.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(settle.Token))
            {
                if (update.Snapshot.State?.Text == "Running"
                    && update.Snapshot.Properties.FirstOrDefault(property => property.Name == "executable.pid")?.Value is { } pid)
                {
                    processes[update.ResourceId] = Convert.ToInt32(pid, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return processes;
    }

    private static async Task<List<string>> StillRunningAsync(Dictionary<string, int> processes)
    {
        var deadline = DateTime.UtcNow + StopTimeout;
        while (true)
        {
            var running = processes.Where(process => Directory.Exists($"/proc/{process.Value}")).Select(process => $"{process.Key} ({process.Value})").ToList();
            if (running.Count == 0 || DateTime.UtcNow > deadline)
            {
                return running;
            }
            await Task.Delay(500);
        }
    }
}
