using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Retail.Contracts.Erp;
using Retail.Contracts.Inventory;
using Retail.Grains.Outbox;
using Retail.Grains.Tests.Orders;
using Retail.Contracts.Outbox;

namespace Retail.Grains.Tests.Outbox;

[Collection(ClusterCollection.Name)]
public sealed class OutboxRelayTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Backlog_WhileTheBrokerFails_CountsTheWaitingEffectsPerDestinationUntilTheyLeave()
    {
        var key = InventoryKey.For($"SKU-{Guid.NewGuid():N}", "wh-1");
        var backlog = fixture.Grains.GetGrain<IOutboxBacklogGrain>(IOutboxBacklogGrain.Key);
        ClusterFixture.Published.Failing = true;
        try
        {
            var clock = Stopwatch.StartNew();
            await fixture.Grains.GetGrain<IInventoryGrain>(key).SetStockAsync(5, 0);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the write waited {clock.Elapsed} for the failing broker");

            var waiting = await OrderScenario.EventuallyAsync(backlog.GetAsync, b => b.GetValueOrDefault(Entities.RetailEvents) >= 1);
            Assert.True(waiting.GetValueOrDefault(Entities.RetailEvents) >= 1);
        }
        finally
        {
            ClusterFixture.Published.Failing = false;
        }

        var drained = await OrderScenario.EventuallyAsync(backlog.GetAsync, b => b.GetValueOrDefault(Entities.RetailEvents) == 0);
        Assert.Equal(0, drained.GetValueOrDefault(Entities.RetailEvents));
        Assert.Single(ClusterFixture.Published.For(Entities.RetailEvents, key));
    }

    [Fact]
    public async Task DeliverAsync_DestinationWithARate_NeverDeliversFasterThanTheRate()
    {
        var publisher = new RecordingPublisher();
        var options = new OutboxRelayOptions { Destinations = { [Entities.ErpOutbound] = new DestinationOptions { MessagesPerSecond = 20 } } };
        using var relay = new OutboxRelay(publisher, fixture.Grains, Options.Create(options), TimeProvider.System, NullLogger<OutboxRelay>.Instance);
        var messages = Enumerable.Range(1, 40).Select(i => new OutboxMessage
        {
            MessageId = $"order-1:SalesOrderPosted:{i}",
            Entity = Entities.ErpOutbound,
            SessionId = "order-1",
            Type = ErpMessageTypes.SalesOrderPosted,
            Body = "{}",
        }).ToList();

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(messages.Select(m => relay.DeliverAsync(m, CancellationToken.None)));

        // 40 messages at 20 a second, refilled in tenths of a second: no less than 1.9 s.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.8), $"40 messages took only {clock.Elapsed}");
        Assert.Equal(40, publisher.For(Entities.ErpOutbound, "order-1").Count);
    }
}
