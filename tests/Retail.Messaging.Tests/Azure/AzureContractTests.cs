using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retail.Messaging.Tests.Contract;

namespace Retail.Messaging.Tests.Azure;

/// <summary>The contract against the Azure transport: the real Service Bus and Event Hubs SDKs, driven against <see cref="AzurePeer"/>.</summary>
public sealed class AzureContractTests : MessagingContract, IAsyncLifetime, IDisposable
{
    private readonly AzurePeer peer = new();
    private readonly ServiceProvider services;

    public AzureContractTests()
    {
        services = AzureTransport.Services(peer);
    }

    protected override IServiceProvider Services => services;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await services.DisposeAsync();

    public void Dispose() => peer.Dispose();
}

/// <summary>The app's wiring of the Azure transport, pointed at a peer with connection strings.</summary>
internal static class AzureTransport
{
    public static ServiceProvider Services(AzurePeer peer) => new ServiceCollection()
        .AddRetailMessaging(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "Azure",
            ["Messaging:ServiceBus:ConnectionString"] = peer.ServiceBusConnectionString,
            ["Messaging:EventHubs:ConnectionString"] = peer.EventHubsConnectionString,
        }).Build())
        .BuildServiceProvider();
}
