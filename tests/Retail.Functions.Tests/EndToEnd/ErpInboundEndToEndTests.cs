using System.Text;
using Retail.Contracts.Erp;
using Retail.Contracts.Inventory;
using Retail.Messaging;

namespace Retail.Functions.Tests.EndToEnd;

[Collection(EmbeddedBridgeCollection.Name)]
public sealed class ErpInboundEndToEndTests(EmbeddedBridge bridge)
{
    private Task PublishAsync(string messageType, string body, string messageId, string sessionId) =>
        bridge.Broker.PublishAsync(Entities.ErpInbound, new TransportMessage
        {
            MessageId = messageId,
            SessionId = sessionId,
            ApplicationProperties = new Dictionary<string, string> { [MessageProperties.MessageType] = messageType, [MessageProperties.CorrelationId] = $"corr-{messageId}" },
            Body = Encoding.UTF8.GetBytes(body),
        });

    [Fact]
    public async Task InventorySnapshot_OverTheTransport_SetsOnHandOfEveryPosition()
    {
        var location = $"dc-{Guid.NewGuid():N}"[..12];
        var body = Samples.Read("Erp", "InventorySnapshot.json").Replace("dc-chicago", location, StringComparison.Ordinal);

        await PublishAsync(ErpMessageTypes.InventorySnapshot, body, $"snap-{location}", location);

        var socks = bridge.Grains.GetGrain<IInventoryGrain>(InventoryKey.For("SOCK-TRL-CHR-M", location));
        await EmbeddedBridge.EventuallyAsync(async () => (await socks.GetAsync()).OnHand == 240, "the snapshot to be applied");
        Assert.Equal(35, (await bridge.Grains.GetGrain<IInventoryGrain>(InventoryKey.For("JKT-RAIN-NVY-L", location)).GetAsync()).OnHand);
    }

    [Fact]
    public async Task InventoryAdjusted_DeliveredTwiceUnderOneMessageId_AdjustsOnce()
    {
        var location = $"dc-{Guid.NewGuid():N}"[..12];
        var position = bridge.Grains.GetGrain<IInventoryGrain>(InventoryKey.For("JKT-RAIN-NVY-L", location));
        await position.SetStockAsync(10, 0);
        var body = Samples.Read("Erp", "InventoryAdjusted.json").Replace("dc-chicago", location, StringComparison.Ordinal);
        var second = body.Replace("ADJ-DC1-2026-11-24-0007", "ADJ-DC1-2026-11-24-0008", StringComparison.Ordinal).Replace("-2", "-3", StringComparison.Ordinal);

        await PublishAsync(ErpMessageTypes.InventoryAdjusted, body, $"adj-{location}", InventoryKey.For("JKT-RAIN-NVY-L", location));
        await PublishAsync(ErpMessageTypes.InventoryAdjusted, body, $"adj-{location}", InventoryKey.For("JKT-RAIN-NVY-L", location));
        await PublishAsync(ErpMessageTypes.InventoryAdjusted, second, $"adj2-{location}", InventoryKey.For("JKT-RAIN-NVY-L", location));

        await EmbeddedBridge.EventuallyAsync(async () => (await position.GetAsync()).OnHand == 5, "both distinct adjustments to be applied");
        Assert.Empty(bridge.Broker.Peek(Entities.ErpInbound));
        Assert.Equal(5, (await position.GetAsync()).OnHand);
    }
}
