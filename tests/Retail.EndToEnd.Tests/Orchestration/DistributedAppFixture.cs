using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retail.EndToEnd.Tests.Support;
using Retail.Messaging;

namespace Retail.EndToEnd.Tests.Orchestration;

/// <summary>
/// One AppHost in the distributed mode for the collection (it takes about a minute to start), and an outside
/// connection to its RabbitMQ, as the ERP and an event subscriber have.
/// </summary>
public sealed class DistributedAppFixture : IAsyncLifetime
{
    private ServiceProvider? _messaging;

    internal AppHostProcess AppHost { get; private set; } = null!;

    internal RetailTraffic Traffic { get; private set; } = null!;

    internal IMessagePublisher Publisher => _messaging!.GetRequiredService<IMessagePublisher>();

    public async Task InitializeAsync()
    {
        AppHost = await AppHostProcess.StartAsync();
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:messaging"] = AppHost.Endpoints["broker"],
        };
        var services = new ServiceCollection();
        services.AddRetailMessaging(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        _messaging = services.BuildServiceProvider();
        try
        {
            Traffic = await RetailTraffic.StartAsync(_messaging.GetRequiredService<IMessageProcessorFactory>());
        }
        catch (Exception exception)
        {
            throw new InvalidOperationException($"Could not consume the AppHost's broker: {exception.Message}\n{AppHost.Output}", exception);
        }
    }

    internal OrderFlow NewFlow(HttpClient api, HttpClient bridge) => new(api, bridge, (TestSecrets.Shopify, TestSecrets.Stripe), Publisher, Traffic, () => "AppHost output:\n" + AppHost.Output);

    public async Task DisposeAsync()
    {
        if (Traffic is not null)
        {
            await Traffic.DisposeAsync();
        }
        if (_messaging is not null)
        {
            await _messaging.DisposeAsync();
        }
        if (AppHost is not null)
        {
            await AppHost.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DistributedAppCollection : ICollectionFixture<DistributedAppFixture>
{
    public const string Name = "Distributed AppHost";
}
