using Retail.Contracts.Orders;

namespace Retail.EndToEnd.Tests.AppHost;

[Collection(DistributedAppCollection.Name)]
public sealed class DistributedAppTests(DistributedAppFixture fixture)
{
    [Fact]
    public async Task ShopifyOrder_PaidShippedInTwoParcelsAndInvoiced_CompletesWithOrderedEvents()
    {
        using var api = fixture.Api();
        using var bridge = fixture.Bridge();
        var flow = fixture.NewFlow(api, bridge);
        await flow.SetUpStockAsync();
        await flow.PlaceShopifyOrderAsync();
        var posting = await flow.PayWithStripeAsync();

        var completed = await flow.FulfilAsync(posting);

        Assert.Equal(OrderStatus.Completed, completed.Status);
        await flow.AssertEventsAsync();
    }

    [Fact]
    public async Task ReadmeCurl_WithTheDevToken_AnswersTheKpis()
    {
        using var api = fixture.Api();

        using var response = await api.GetAsync("api/v1/kpis");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.True(File.Exists(Path.Combine(fixture.Settings.StateDirectory, "endpoints.json")));
    }
}
