using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using Retail.Contracts;
using Retail.Contracts.Orders;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.AppHost;

[Collection(DistributedAppCollection.Name)]
public sealed class SimulatorTests(DistributedAppFixture fixture)
{
    private const int ExpectedOrders = 3;
    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Simulator_StartedFromItsCommand_ItsOrdersArriveUntilItIsStopped()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        using var api = fixture.Api();
        var before = await SimulatedWebOrdersAsync(api);

        await fixture.App.ExecuteAsync("simulator", KnownResourceCommands.StartCommand, timeout.Token);
        var deadline = DateTime.UtcNow + TrafficTimeout;
        var arrived = before;
        while (arrived < before + ExpectedOrders && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000, timeout.Token);
            arrived = await SimulatedWebOrdersAsync(api);
        }
        await fixture.App.ExecuteAsync("simulator", KnownResourceCommands.StopCommand, timeout.Token);
        await fixture.App.ResourceNotifications.WaitForResourceAsync("simulator", KnownResourceStates.TerminalStates, timeout.Token);

        Assert.True(arrived >= before + ExpectedOrders, $"The simulator's web orders in GET /orders went from {before} to {arrived} in {TrafficTimeout}.");
        await Task.Delay(TimeSpan.FromSeconds(3), timeout.Token);
        var afterStop = await SimulatedWebOrdersAsync(api);
        await Task.Delay(TimeSpan.FromSeconds(5), timeout.Token);
        Assert.Equal(afterStop, await SimulatedWebOrdersAsync(api));
    }

    /// <summary>The web orders in GET /orders that the simulator placed (its channel order ids start with W-), every page.</summary>
    private static async Task<int> SimulatedWebOrdersAsync(HttpClient api)
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = await api.GetFromJsonAsync<OrderPage>(
                "api/v1/orders?channel=web&limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), RetailJson.Options);
            count += page!.Items.Count(order => order.ChannelOrderId.StartsWith("W-", StringComparison.Ordinal));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return count;
    }

    /// <summary>A page of GET /orders.</summary>
    private sealed record OrderPage(List<OrderSummary> Items, string? NextCursor);
}
