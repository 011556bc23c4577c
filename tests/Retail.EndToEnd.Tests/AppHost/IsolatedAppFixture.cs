using Aspire.Hosting;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.AppHost;

/// <summary>
/// A run of the real AppHost in Binaries mode of its own, for the tests that take its services down and stop it, so
/// that they never disturb the shared run of <see cref="DistributedAppFixture"/>.
/// </summary>
public sealed class IsolatedAppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private bool stopped;

    internal RetailAppHost.Settings Settings { get; } = RetailAppHost.NewSettings("Binaries");

    internal DistributedApplication App { get; private set; } = null!;

    internal string EndpointsFile => Path.Combine(Settings.StateDirectory, "endpoints.json");

    internal string DevTokenFile => Path.Combine(Settings.StateDirectory, "dev-token");

    public async Task InitializeAsync()
    {
        var builder = await RetailAppHost.CreateBuilderAsync(Settings);
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("functions", timeout.Token);
        while (!File.Exists(DevTokenFile))
        {
            await Task.Delay(200, timeout.Token);
        }
    }

    /// <summary>Stops and disposes the app, as Ctrl+C does; once.</summary>
    internal async Task StopAsync()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        await App.StopAsync();
        await App.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await StopAsync();
        }
        if (Directory.Exists(Settings.StateDirectory))
        {
            Directory.Delete(Settings.StateDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class IsolatedAppCollection : ICollectionFixture<IsolatedAppFixture>
{
    public const string Name = "Isolated AppHost";
}
