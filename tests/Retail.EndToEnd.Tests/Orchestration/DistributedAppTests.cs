using System.Diagnostics;
using Retail.Contracts.Orders;

namespace Retail.EndToEnd.Tests.Orchestration;

[Collection(DistributedAppCollection.Name)]
public sealed class DistributedAppTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task ShopifyOrder_PaidShippedInTwoParcelsAndInvoiced_CompletesWithOrderedEvents()
    {
        using var api = fixture.AppHost.CreateClient("api");
        using var bridge = fixture.AppHost.CreateClient("bridge", authenticated: false);
        var flow = fixture.NewFlow(api, bridge);
        await flow.SetUpStockAsync();
        await flow.PlaceShopifyOrderAsync();
        var posting = await flow.PayWithStripeAsync();

        var completed = await flow.FulfilAsync(posting);

        Assert.Equal(OrderStatus.Completed, completed.Status);
        await flow.AssertEventsAsync();
    }

    [Fact]
    public async Task SiloKilled_WhileOrderInFlight_OrderCompletesOnTheOtherSilo()
    {
        using var api = fixture.AppHost.CreateClient("api");
        using var bridge = fixture.AppHost.CreateClient("bridge", authenticated: false);
        var flow = fixture.NewFlow(api, bridge);
        await flow.SetUpStockAsync();
        await flow.PlaceShopifyOrderAsync();
        var posting = await flow.PayWithStripeAsync();
        var silo = Process.GetProcessById(fixture.AppHost.Processes["silo-2"]);

        silo.Kill();
        await silo.WaitForExitAsync();
        var completed = await flow.FulfilAsync(posting);

        Assert.Equal(OrderStatus.Completed, completed.Status);
        await flow.AssertEventsAsync();
    }
}
