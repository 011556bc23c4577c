using System.Text.RegularExpressions;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.Orchestration;

[CollectionDefinition(Name)]
public sealed class ShutdownCollection
{
    public const string Name = "AppHost shutdown";
}

[Collection(ShutdownCollection.Name)]
public sealed partial class ShutdownTests
{
    [Fact]
    public async Task Sigint_WhileRunning_StopsEveryChildFreesEveryPortAndDeletesEndpoints()
    {
        await using var appHost = await AppHostProcess.StartAsync();
        var children = appHost.Processes;
        var ports = appHost.Ports.All.Concat(ServerPorts(appHost.Endpoints)).Distinct().ToList();
        Assert.Equal(["api", "bridge", "silo-1", "silo-2"], children.Keys.Order(StringComparer.Ordinal));

        appHost.Signal(AppHostProcess.SigInt);
        var exited = await appHost.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exited, "The AppHost did not exit within 90 s of SIGINT.\n" + appHost.Output);
        Assert.DoesNotContain(children, child => Directory.Exists($"/proc/{child.Value}"));
        Assert.Empty(await StillTakenAsync(ports));
        Assert.False(File.Exists(appHost.EndpointsFile), "endpoints.json was left behind.");
        Assert.False(File.Exists(Path.Combine(appHost.StateDirectory, "processes.json")), "processes.json was left behind.");
        Assert.False(File.Exists(Path.Combine(appHost.StateDirectory, "dev-token")), "dev-token was left behind.");
    }

    /// <summary>The ports of the servers the AppHost started (the broker's are chosen by its launcher).</summary>
    private static IEnumerable<int> ServerPorts(IReadOnlyDictionary<string, string> endpoints)
    {
        foreach (var service in new[] { "broker", "broker-management" })
        {
            if (endpoints.TryGetValue(service, out var url))
            {
                yield return new Uri(url).Port;
            }
        }
        if (endpoints.TryGetValue("postgres", out var database) && PostgresPort().Match(database) is { Success: true } match)
        {
            yield return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The ports still in use after a short grace for sockets closing.</summary>
    private static async Task<List<int>> StillTakenAsync(List<int> ports)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var taken = ports.Where(port => !FreePorts.IsFree(port)).ToList();
            if (taken.Count == 0 || DateTime.UtcNow > deadline)
            {
                return taken;
            }
            await Task.Delay(500);
        }
    }

    [GeneratedRegex(@"Port=(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex PostgresPort();
}
