using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Retail.Messaging;
using Retail.Messaging.InMemory;
using Retail.Silo;

namespace Retail.Functions.Tests.EndToEnd;

/// <summary>
/// The embedded mode as the API hosts it: one process with a silo (real grains, in-memory storage), the in-memory
/// transport, the bridge's webhooks over a TestServer and its ERP consumer.
/// </summary>
public class EmbeddedBridge : IAsyncLifetime
{
    private WebApplication app = null!;

    public IServiceProvider Services => app.Services;

    public IMessagePublisher Publisher => app.Services.GetRequiredService<IMessagePublisher>();

    public IGrainFactory Grains => app.Services.GetRequiredService<IGrainFactory>();

    public InMemoryMessageBroker Broker => app.Services.GetRequiredService<InMemoryMessageBroker>();

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var transport = await StartTransportAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retail:Embedded"] = "true",
            ["Orleans:Endpoints:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = $"bridge-tests-{Guid.NewGuid():N}",
            ["Webhooks:Shopify:Secrets:0"] = Webhooks.BridgeHost.ShopifyNewSecret,
            ["Webhooks:Stripe:Secrets:0"] = Webhooks.BridgeHost.StripeSecret,
        });
        builder.Configuration.AddInMemoryCollection(transport);
        builder.AddServiceDefaults();
        builder.AddRetailOrleans();
        builder.AddRetailBridge();
        app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapRetailBridge();
        await app.StartAsync();
        Client = app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        await StopTransportAsync();
    }

    /// <summary>The <c>Messaging</c> settings of this bridge; the in-memory transport unless a subclass starts a broker.</summary>
    protected virtual Task<IDictionary<string, string?>> StartTransportAsync() =>
        Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?> { ["Messaging:Transport"] = "InMemory" });

    /// <summary>Stops what <see cref="StartTransportAsync"/> started, after the bridge stopped.</summary>
    protected virtual Task StopTransportAsync() => Task.CompletedTask;

    /// <summary>Polls until <paramref name="condition"/> holds (generous timeout: the machine may be loaded).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(100);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class EmbeddedBridgeCollection : ICollectionFixture<EmbeddedBridge>
{
    public const string Name = "embedded bridge";
}
