using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Microsoft.Extensions.DependencyInjection;
using Retail.Contracts.Orders;
using Retail.Messaging;

namespace Retail.Functions.Tests.EndToEnd;

/// <summary>
/// ERP messages about orders, end to end: sent to erp-inbound over a transport, consumed by the bridge, applied to real
/// order, inventory and exception registry grains. Run over the in-memory transport and over a real RabbitMQ.
/// </summary>
public abstract class ErpOrderMessagesTests(EmbeddedBridge bridge)
{
    private readonly OrderWorld world = new(bridge);

    protected EmbeddedBridge Bridge => bridge;

    private async Task<(string OrderId, string LocationId, string Sku)> ReleasedAsync(int quantity)
    {
        var sku = OrderWorld.Unique("SKU");
        var locationId = await world.WarehouseAsync(10, sku);
        return (await world.ReleasedOrderAsync(sku, quantity), locationId, sku);
    }

    [Fact]
    public async Task OrderPostingAccepted_ForAReleasedOrder_RecordsTheErpOrderNumber()
    {
        var (orderId, _, _) = await ReleasedAsync(1);

        await world.SendErpAsync(ErpMessageTypes.OrderPostingAccepted, new OrderPostingAccepted { OrderId = orderId, ErpOrderNumber = "SO-778812" }, orderId);

        await EmbeddedBridge.EventuallyAsync(async () => (await world.ViewAsync(orderId)).ErpOrderNumber == "SO-778812", "the ERP order number");
        Assert.Equal(OrderStatus.Released, (await world.ViewAsync(orderId)).Status);
    }

    [Fact]
    public async Task OrderPostingRejected_PutsTheOrderOnHoldWithAPostingRejectedException()
    {
        var (orderId, _, _) = await ReleasedAsync(1);

        await world.SendErpAsync(ErpMessageTypes.OrderPostingRejected,
            new OrderPostingRejected { OrderId = orderId, Code = "CREDIT_BLOCK", Reason = "Customer account is on credit hold." }, orderId);

        var view = await world.StatusAsync(orderId, OrderStatus.OnHold);
        var record = await world.ExceptionAsync(ExceptionKinds.PostingRejected, orderId);
        Assert.Contains("CREDIT_BLOCK", record.Reason, StringComparison.Ordinal);
        Assert.NotNull(view.HoldReason);
    }

    [Fact]
    public async Task ShipmentConfirmed_PartThenTheRestThenInvoice_ShipsAndCompletesTheOrder()
    {
        var (orderId, locationId, _) = await ReleasedAsync(3);
        ShipmentConfirmed Shipment(string id, int quantity) => new()
        {
            OrderId = orderId,
            ShipmentId = id,
            LocationId = locationId,
            ShippedAt = DateTimeOffset.UtcNow,
            Carrier = "UPS",
            TrackingNumber = $"1Z{id}",
            Lines = [new LineQuantity { LineId = "1", Quantity = quantity }],
        };

        await world.SendErpAsync(ErpMessageTypes.ShipmentConfirmed, Shipment("SHP-1", 1), orderId);
        var partial = await world.StatusAsync(orderId, OrderStatus.PartiallyShipped);
        await world.SendErpAsync(ErpMessageTypes.ShipmentConfirmed, Shipment("SHP-2", 2), orderId);
        var shipped = await world.StatusAsync(orderId, OrderStatus.Shipped);
        await world.SendErpAsync(ErpMessageTypes.InvoicePosted, new InvoicePosted
        {
            OrderId = orderId,
            InvoiceId = "INV-1",
            PostedAt = DateTimeOffset.UtcNow,
            Lines = [new InvoiceLine { LineId = "1", Quantity = 3, Amount = 64.80m }],
            Total = 69.80m,
        }, orderId);
        var completed = await world.StatusAsync(orderId, OrderStatus.Completed);

        Assert.Equal(1, partial.Lines.Single().Shipped);
        Assert.Equal(3, shipped.Lines.Single().Shipped);
        Assert.Equal(3, completed.Lines.Single().Invoiced);
    }

    [Fact]
    public async Task ReturnReceived_Resellable_PutsTheUnitBackOnHand()
    {
        var (orderId, locationId, sku) = await ReleasedAsync(2);
        await world.SendErpAsync(ErpMessageTypes.ShipmentConfirmed, new ShipmentConfirmed
        {
            OrderId = orderId,
            ShipmentId = "SHP-1",
            LocationId = locationId,
            ShippedAt = DateTimeOffset.UtcNow,
            Lines = [new LineQuantity { LineId = "1", Quantity = 2 }],
        }, orderId);
        await world.StatusAsync(orderId, OrderStatus.Shipped);
        var authorized = await world.Order(orderId).AuthorizeReturnAsync(new ReturnRequest { Reason = "Too small", Lines = [new LineQuantity { LineId = "1", Quantity = 1 }] });
        var onHandBefore = (await world.Inventory(sku, locationId).GetAsync()).OnHand;

        await world.SendErpAsync(ErpMessageTypes.ReturnReceived, new ReturnReceived
        {
            OrderId = orderId,
            ReturnId = authorized.ReturnId,
            LocationId = locationId,
            ReceivedAt = DateTimeOffset.UtcNow,
            Lines = [new ReturnedLine { LineId = "1", Quantity = 1, Resellable = true }],
        }, orderId);

        await EmbeddedBridge.EventuallyAsync(async () => (await world.Inventory(sku, locationId).GetAsync()).OnHand == onHandBefore + 1, "the returned unit back on hand");
        var view = await world.ViewAsync(orderId);
        Assert.Equal(1, view.Lines.Single().Returned);
        Assert.Equal(ReturnStatus.Received, view.Returns.Single().Status);
    }

    [Fact]
    public async Task InvalidBody_DeadLettersWithItsReason_AndARetryResubmitsIt()
    {
        var (orderId, _, _) = await ReleasedAsync(1);
        var messageId = OrderWorld.Unique("bad");

        await world.SendErpAsync(ErpMessageTypes.OrderPostingAccepted, $$"""{"orderId":"{{orderId}}"}""", orderId, messageId);
        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        await world.ExceptionOf(record.Id).RetryAsync(record.Id);

        Assert.StartsWith("SchemaValidationFailed", record.Reason, StringComparison.Ordinal);
        Assert.Contains("erpOrderNumber", record.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(messageId, record.Message!.MessageId);
        await EmbeddedBridge.EventuallyAsync(async () => (await world.ExceptionOf(record.Id).GetAsync(record.Id))!.Attempts >= record.Attempts + 2,
            "the re-submitted message to dead-letter again");
        Assert.Null((await world.ViewAsync(orderId)).ErpOrderNumber);
    }

    [Fact]
    public async Task OrderMessage_ForAnUnknownOrder_DeadLettersAndWritesNothing()
    {
        var orderId = OrderWorld.Unique("ord-missing").ToLowerInvariant();
        var messageId = OrderWorld.Unique("acc");

        await world.SendErpAsync(ErpMessageTypes.OrderPostingAccepted, new OrderPostingAccepted { OrderId = orderId, ErpOrderNumber = "SO-1" }, orderId, messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.Contains(orderId, record.Reason, StringComparison.Ordinal);
        Assert.Null(await world.Order(orderId).GetAsync());
    }

    [Fact]
    public async Task Message_OfAnUnknownMessageType_DeadLettersWithItsReason()
    {
        var messageId = OrderWorld.Unique("unk");

        await world.SendErpAsync("OrderTeleported", """{"orderId":"ord-1"}""", "ord-1", messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.StartsWith("UnknownMessageType", record.Reason, StringComparison.Ordinal);
        Assert.Equal("OrderTeleported", record.Message!.MessageType);
    }

    [Fact]
    public async Task Message_WithoutASessionId_DeadLettersWithItsReasonAndAppliesNothing()
    {
        var (orderId, _, _) = await ReleasedAsync(1);
        var messageId = OrderWorld.Unique("nosession");

        await world.SendErpAsync(ErpMessageTypes.OrderPostingAccepted, new OrderPostingAccepted { OrderId = orderId, ErpOrderNumber = "SO-NS" }, null, messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.StartsWith("MissingSessionId", record.Reason, StringComparison.Ordinal);
        Assert.Null(record.Message!.SessionId);
        Assert.Null((await world.ViewAsync(orderId)).ErpOrderNumber);
    }

    [Fact]
    public async Task Message_OverTheSizeLimit_DeadLettersWithItsReasonAndAppliesNothing()
    {
        var (orderId, _, _) = await ReleasedAsync(1);
        var messageId = OrderWorld.Unique("big");
        var body = $$"""{"orderId":"{{orderId}}","erpOrderNumber":"SO-BIG","note":"{{new string('x', 300 * 1024)}}"}""";

        await world.SendErpAsync(ErpMessageTypes.OrderPostingAccepted, body, orderId, messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.StartsWith("MessageTooLarge", record.Reason, StringComparison.Ordinal);
        Assert.Null(record.Message);
        Assert.Null((await world.ViewAsync(orderId)).ErpOrderNumber);
    }

    [Fact]
    public async Task ShipmentConfirmed_WithWronglyTypedFields_DeadLettersAndShipsNothing()
    {
        var (orderId, locationId, _) = await ReleasedAsync(2);
        var messageId = OrderWorld.Unique("typ");
        var body = $$"""
            {"orderId":"{{orderId}}","shipmentId":"SHP-9","locationId":"{{locationId}}","shippedAt":"yesterday",
             "lines":[{"lineId":"1","quantity":"two"}]}
            """;

        await world.SendErpAsync(ErpMessageTypes.ShipmentConfirmed, body, orderId, messageId);

        var record = await world.ExceptionAsync(ExceptionKinds.DeadLetter, messageId);
        Assert.StartsWith("SchemaValidationFailed", record.Reason, StringComparison.Ordinal);
        var view = await world.ViewAsync(orderId);
        Assert.Equal(0, view.Lines.Single().Shipped);
        Assert.Equal(OrderStatus.Released, view.Status);
    }
}

[Collection(EmbeddedBridgeCollection.Name)]
public sealed class ErpOrderMessagesInMemoryTests(EmbeddedBridge bridge) : ErpOrderMessagesTests(bridge)
{
    [Fact]
    public async Task InvalidBody_LandsOnTheDeadLetterQueueWithItsReason()
    {
        var messageId = OrderWorld.Unique("dlq");

        await new OrderWorld(Bridge).SendErpAsync(ErpMessageTypes.InvoicePosted, "{\"orderId\": 42", "ord-1", messageId);

        await EmbeddedBridge.EventuallyAsync(() => Task.FromResult(Bridge.Broker.PeekDeadLetters(Entities.ErpInbound).Any(d => d.Message.MessageId == messageId)),
            "the message on the dead-letter queue");
        var dead = Bridge.Broker.PeekDeadLetters(Entities.ErpInbound).Single(d => d.Message.MessageId == messageId);
        Assert.Equal("InvalidJson", dead.Reason);
        Assert.NotEmpty(dead.Description);
    }
}

[Collection(RabbitMqBridgeCollection.Name)]
public sealed class ErpOrderMessagesRabbitMqTests(RabbitMqBridge bridge) : ErpOrderMessagesTests(bridge)
{
    [Fact]
    public async Task InvalidBody_LandsOnTheBrokersDeadLetterQueueWithItsReason()
    {
        var messageId = OrderWorld.Unique("dlq");
        var deadLetters = new System.Collections.Concurrent.ConcurrentDictionary<string, ReceivedMessage>();
        var processors = Bridge.Services.GetRequiredService<IMessageProcessorFactory>();
        await using var reader = await processors.StartAsync(DeadLetter.QueueOf(Entities.ErpInbound), (received, _) =>
        {
            deadLetters[received.Message.MessageId] = received;
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions { Sessions = false });

        await new OrderWorld(Bridge).SendErpAsync(ErpMessageTypes.InvoicePosted, "{\"orderId\": 42", "ord-1", messageId);

        await EmbeddedBridge.EventuallyAsync(() => Task.FromResult(deadLetters.ContainsKey(messageId)), "the message on the broker's dead-letter queue");
        var dead = deadLetters[messageId].Message;
        Assert.Equal("InvalidJson", dead.ApplicationProperties[DeadLetter.ReasonProperty]);
        Assert.NotEmpty(dead.ApplicationProperties[DeadLetter.DescriptionProperty]);
        Assert.Equal("{\"orderId\": 42", System.Text.Encoding.UTF8.GetString(dead.Body.Span));
    }
}
