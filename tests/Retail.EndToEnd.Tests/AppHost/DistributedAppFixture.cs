using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retail.EndToEnd.Tests.Support;
using Retail.Messaging;

namespace Retail.EndToEnd.Tests.AppHost;

/// <summary>
/// One run of the real AppHost in Binaries mode for the collection (private PostgreSQL and RabbitMQ, two silo
/// replicas, the API, the bridge, the dashboard), and an outside connection to its RabbitMQ, as the ERP and an event
/// subscriber have.
/// </summary>
public sealed class DistributedAppFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private ServiceProvider? messaging;

    internal RetailAppHost.Settings Settings { get; } = RetailAppHost.NewSettings("Binaries");

    internal DistributedApplication App { get; private set; } = null!;

    internal RetailTraffic Traffic { get; private set; } = null!;

    internal IMessagePublisher Publisher => messaging!.GetRequiredService<IMessagePublisher>();

    /// <summary>The all-scope token the AppHost wrote to the state directory once everything was healthy.</summary>
    internal string DevToken { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var builder = await RetailAppHost.CreateBuilderAsync(Settings, dashboard: true);
        // Every test of the collection sends its traffic with the one dev token: more than one client's budget on /api.
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api"))
            .WithEnvironment("RateLimiting__PermitsPerMinute", "60000")
            .WithEnvironment("RateLimiting__Burst", "1000");
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("functions", timeout.Token);
        DevToken = await WaitForFileAsync(Path.Combine(Settings.StateDirectory, "dev-token"), timeout.Token);

        var broker = await App.GetConnectionStringAsync("messaging", timeout.Token);
        var services = new ServiceCollection();
        services.AddRetailMessaging(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:messaging"] = broker,
        }).Build());
        messaging = services.BuildServiceProvider();
        Traffic = await RetailTraffic.StartAsync(messaging.GetRequiredService<IMessageProcessorFactory>());
    }

    internal HttpClient Api()
    {
        var client = App.CreateHttpClient("api", "http");
        client.DefaultRequestHeaders.Authorization = new("Bearer", DevToken);
        return client;
    }

    internal HttpClient Bridge() => App.CreateHttpClient("functions", "http");

    internal OrderFlow NewFlow(HttpClient api, HttpClient bridge) =>
        new(api, bridge, (TestSecrets.Shopify, TestSecrets.Stripe), Publisher, Traffic, () => "see the resources' logs in the test output");

    private static async Task<string> WaitForFileAsync(string path, CancellationToken cancellationToken)
    {
        while (!File.Exists(path))
        {
            await Task.Delay(200, cancellationToken);
        }
        return (await File.ReadAllTextAsync(path, cancellationToken)).Trim();
    }

    public async Task DisposeAsync()
    {
        if (Traffic is not null)
        {
            await Traffic.DisposeAsync();
        }
        if (messaging is not null)
        {
            await messaging.DisposeAsync();
        }
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        if (Directory.Exists(Settings.StateDirectory))
        {
            Directory.Delete(Settings.StateDirectory, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DistributedAppCollection : ICollectionFixture<DistributedAppFixture>
{
    public const string Name = "Distributed AppHost";
}
