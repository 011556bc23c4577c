using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Transfers;

namespace Retail.Functions.Tests.EndToEnd;

/// <summary>
/// The ERP's supply messages (purchase orders, transfers) end to end: sent to erp-inbound, consumed by the bridge, applied
/// to the real purchase-order, transfer and inventory grains; bad input is dead-lettered with its reason and changes nothing.
/// </summary>
[Collection(EmbeddedBridgeCollection.Name)]
public sealed class ErpSupplyMessagesTests(EmbeddedBridge bridge)
{
    private static readonly DateTimeOffset Friday = DateTimeOffset.UtcNow.Date.AddDays(5);
    private readonly OrderWorld world = new(bridge);

    [Fact]
    public async Task PurchaseOrderConfirmedThenReceivedShort_IsInboundThenOnHandWithAVariance()
    {
        var sku = OrderWorld.Unique("SKU");
        var locationId = await world.WarehouseAsync(2, sku);
        var poId = OrderWorld.Unique("PO");
        var session = InventoryKey.For(sku, locationId);

        await world.SendErpAsync(ErpMessageTypes.PurchaseOrderConfirmed, Confirmation(poId, locationId, sku, 12), session);
        await EmbeddedBridge.EventuallyAsync(async () => (await world.Inventory(sku, locationId).GetAsync()).Inbound.Count == 1, "the purchase order inbound");
        var inbound = (await world.Inventory(sku, locationId).GetAsync()).Inbound.Single();
        await world.SendErpAsync(ErpMessageTypes.PurchaseOrderReceived, Receipt(poId, locationId, sku, 10), session);

        await EmbeddedBridge.EventuallyAsync(async () => (await world.Inventory(sku, locationId).GetAsync()).OnHand == 12, "the receipt on hand");
        Assert.Equal((InboundReferences.ForPurchaseOrder(poId), 12, Friday), (inbound.Reference, inbound.Quantity, inbound.ExpectedAt));
        Assert.Empty((await world.Inventory(sku, locationId).GetAsync()).Inbound);
        var variance = await world.ExceptionAsync(ExceptionKinds.InventoryVariance, session);
        Assert.Contains("variance -2", variance.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransferShippedTwiceThenReceived_LeavesTheSourceOnceAndArrivesAtTheDestination()
    {
        var sku = OrderWorld.Unique("SKU");
        var source = await world.WarehouseAsync(9, sku);
        var store = await world.WarehouseAsync(0, sku);
        var transferId = OrderWorld.Unique("TR");
        var shipped = new TransferShipped
        {
            TransferId = transferId, FromLocationId = source, ToLocationId = store, ShippedAt = DateTimeOffset.UtcNow, ExpectedAt = Friday,
            Lines = [new SkuQuantity { Sku = sku, Quantity = 4 }],
        };

        await world.SendErpAsync(ErpMessageTypes.TransferShipped, shipped, transferId);
        await world.SendErpAsync(ErpMessageTypes.TransferShipped, shipped, transferId);
        await world.SendErpAsync(ErpMessageTypes.TransferReceived, new TransferReceived
        {
            TransferId = transferId, ToLocationId = store, ReceivedAt = DateTimeOffset.UtcNow, Lines = [new SkuQuantity { Sku = sku, Quantity = 4 }],
        }, transferId);

        await EmbeddedBridge.EventuallyAsync(async () => (await world.Grains.GetGrain<ITransferGrain>(transferId).GetAsync())?.Status == TransferStatus.Received, "the transfer received");
        var atSource = await world.Inventory(sku, source).GetAsync();
        var atStore = await world.Inventory(sku, store).GetAsync();
        Assert.Equal((5, 0), (atSource.OnHand, atSource.InTransit));
        Assert.Equal((4, 0), (atStore.OnHand, atStore.Inbound.Count));
    }

    [Fact]
    public async Task PurchaseOrderConfirmed_AtAnUnknownLocation_DeadLettersWithItsReasonAndExpectsNothing()
    {
        var sku = OrderWorld.Unique("SKU");
        var poId = OrderWorld.Unique("PO");
        var messageId = OrderWorld.Unique("loc");

        await world.SendErpAsync(ErpMessageTypes.PurchaseOrderConfirmed, Confirmation(poId, "dc-nowhere", sku, 5), poId, messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.StartsWith(ProblemCodes.LocationNotFound, record.Reason, StringComparison.Ordinal);
        Assert.Contains("dc-nowhere", record.Reason, StringComparison.Ordinal);
        Assert.Empty((await world.Inventory(sku, "dc-nowhere").GetAsync()).Inbound);
        Assert.Null(await world.Grains.GetGrain<IPurchaseOrderGrain>(poId).GetAsync());
    }

    [Fact]
    public async Task PurchaseOrderConfirmed_WithANegativeQuantity_DeadLettersAndExpectsNoLineOfIt()
    {
        var sku = OrderWorld.Unique("SKU");
        var locationId = await world.WarehouseAsync(0, sku, sku + "-B");
        var poId = OrderWorld.Unique("PO");
        var messageId = OrderWorld.Unique("neg");
        var body = $$"""
            {"poId":"{{poId}}","locationId":"{{locationId}}","lines":[
              {"sku":"{{sku}}","quantity":3,"expectedAt":"2027-01-04T08:00:00Z"},
              {"sku":"{{sku}}-B","quantity":-1,"expectedAt":"2027-01-04T08:00:00Z"}]}
            """;

        await world.SendErpAsync(ErpMessageTypes.PurchaseOrderConfirmed, body, poId, messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.StartsWith("SchemaValidationFailed", record.Reason, StringComparison.Ordinal);
        Assert.Contains("quantity", record.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await world.Inventory(sku, locationId).GetAsync()).Inbound);
        Assert.Null(await world.Grains.GetGrain<IPurchaseOrderGrain>(poId).GetAsync());
    }

    [Fact]
    public async Task PurchaseOrderReceived_ForAnUnknownPurchaseOrder_DeadLettersAndPutsNothingOnHand()
    {
        var sku = OrderWorld.Unique("SKU");
        var locationId = await world.WarehouseAsync(3, sku);
        var poId = OrderWorld.Unique("PO");
        var messageId = OrderWorld.Unique("rcv");

        await world.SendErpAsync(ErpMessageTypes.PurchaseOrderReceived, Receipt(poId, locationId, sku, 6), InventoryKey.For(sku, locationId), messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.StartsWith(ProblemCodes.PurchaseOrderNotFound, record.Reason, StringComparison.Ordinal);
        Assert.Equal(ErpMessageTypes.PurchaseOrderReceived, record.Message!.MessageType);
        Assert.Equal(3, (await world.Inventory(sku, locationId).GetAsync()).OnHand);
    }

    [Fact]
    public async Task TransferReceived_ForATransferNeverShipped_DeadLettersWithItsReason()
    {
        var sku = OrderWorld.Unique("SKU");
        var store = await world.WarehouseAsync(1, sku);
        var transferId = OrderWorld.Unique("TR");
        var messageId = OrderWorld.Unique("trr");

        await world.SendErpAsync(ErpMessageTypes.TransferReceived, new TransferReceived
        {
            TransferId = transferId, ToLocationId = store, ReceivedAt = DateTimeOffset.UtcNow, Lines = [new SkuQuantity { Sku = sku, Quantity = 2 }],
        }, transferId, messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.StartsWith(ProblemCodes.TransferNotFound, record.Reason, StringComparison.Ordinal);
        Assert.Equal(1, (await world.Inventory(sku, store).GetAsync()).OnHand);
    }

    private static PurchaseOrderConfirmed Confirmation(string poId, string locationId, string sku, int quantity) => new()
    {
        PoId = poId,
        LocationId = locationId,
        Lines = [new PurchaseOrderLine { Sku = sku, Quantity = quantity, ExpectedAt = Friday }],
    };

    private static PurchaseOrderReceived Receipt(string poId, string locationId, string sku, int quantity) => new()
    {
        PoId = poId,
        LocationId = locationId,
        ReceivedAt = DateTimeOffset.UtcNow,
        Lines = [new SkuQuantity { Sku = sku, Quantity = quantity }],
    };
}
