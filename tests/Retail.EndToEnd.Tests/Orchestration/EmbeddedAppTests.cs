using Retail.AppHost;
using Retail.AppHost.Orchestration;
using Retail.Contracts.Orders;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.Orchestration;

[CollectionDefinition(Name)]
public sealed class EmbeddedAppCollection
{
    public const string Name = "Embedded app";
}

[Collection(EmbeddedAppCollection.Name)]
public sealed class EmbeddedAppTests
{
    [Fact]
    public async Task ShopifyOrder_OnTheInMemoryTransport_CompletesWithOrderedEvents()
    {
        var options = new AppHostOptions { Embedded = true, ApiPort = FreePorts.One(), SiloPort = FreePorts.One(), GatewayPort = FreePorts.One() };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var embedded = await EmbeddedApp.StartAsync(options, RepositoryLayout.Discover(), timeout.Token);
        await using var traffic = await RetailTraffic.StartAsync(embedded.Processors);
        var token = embedded.Token.Mint(TimeSpan.FromHours(1));
        using var api = new HttpClient { BaseAddress = embedded.Address, Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var bridge = new HttpClient { BaseAddress = embedded.Address, Timeout = TimeSpan.FromSeconds(60) };
        var flow = new OrderFlow(api, bridge, (embedded.Secrets.Shopify, embedded.Secrets.Stripe), embedded.Publisher, traffic, () => "(embedded: the app logs to this test's output)");
        await flow.SetUpStockAsync();
        await flow.PlaceShopifyOrderAsync();
        var posting = await flow.PayWithStripeAsync();

        var completed = await flow.FulfilAsync(posting);

        Assert.Equal(OrderStatus.Completed, completed.Status);
        await flow.AssertEventsAsync();
    }
}
