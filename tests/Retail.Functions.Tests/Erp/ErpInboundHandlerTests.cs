using Retail.Functions.Dedupe;
using Microsoft.Extensions.Options;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Functions.Erp;
using Retail.Functions.Tests.Fakes;
using Retail.Functions.Validation;
using Retail.Messaging;

namespace Retail.Functions.Tests.Erp;

public sealed class ErpInboundHandlerTests
{
    private const string OrderId = "ord-web-10001";
    private readonly FakeGrains grains = new();
    private readonly InstantTimers timers = new();
    private readonly ErpInboundHandler handler;

    public ErpInboundHandlerTests()
    {
        handler = new ErpInboundHandler(grains, new DedupeLeases(grains, NullLogger<DedupeLeases>.Instance), new SchemaValidator(), timers, Options.Create(new ErpInboundOptions { MaxMessageBytes = 8192 }),
            NullLogger<ErpInboundHandler>.Instance);
        grains.Order(OrderId).SubmitAsync(new CanonicalOrder
        {
            OrderId = OrderId, Channel = Channels.Web, ChannelOrderId = "web-10001", Currency = "USD",
            Lines = [new OrderLine { LineId = "1", Sku = "SOCK-TRL-CHR-M", Quantity = 2, UnitPrice = 19.99m }],
        }).GetAwaiter().GetResult();
        while (grains.Calls.TryDequeue(out _))
        {
        }
    }

    private static ReceivedMessage Message(string? messageType, string body, string? messageId = null, int deliveryCount = 1, string? correlationId = null)
    {
        var properties = new Dictionary<string, string>();
        if (messageType is not null)
        {
            properties[MessageProperties.MessageType] = messageType;
        }
        if (correlationId is not null)
        {
            properties[MessageProperties.CorrelationId] = correlationId;
        }
        return new ReceivedMessage(Entities.ErpInbound, new TransportMessage
        {
            MessageId = messageId ?? Guid.NewGuid().ToString("N"),
            SessionId = OrderId,
            ApplicationProperties = properties,
            Body = Encoding.UTF8.GetBytes(body),
        }, deliveryCount);
    }

    private static ReceivedMessage Sample(string messageType, string? messageId = null) => Message(messageType, Samples.Read("Erp", $"{messageType}.json"), messageId);

    [Fact]
    public async Task InventorySnapshot_AppliesEveryItemToItsPosition()
    {
        var outcome = await handler.HandleAsync(Sample(ErpMessageTypes.InventorySnapshot), default);

        Assert.Equal(MessageOutcome.Complete, outcome);
        Assert.Equal((new DateTimeOffset(2026, 11, 24, 2, 0, 0, TimeSpan.Zero), 240), Assert.Single(grains.Inventory("SOCK-TRL-CHR-M@dc-chicago").Snapshots));
        Assert.Equal(35, Assert.Single(grains.Inventory("JKT-RAIN-NVY-L@dc-chicago").Snapshots).OnHand);
        Assert.Equal(0, Assert.Single(grains.Inventory("HAT-MER-GRY@dc-chicago").Snapshots).OnHand);
    }

    [Fact]
    public async Task InventoryAdjusted_AdjustsThePositionOnceEvenWhenRedelivered()
    {
        await handler.HandleAsync(Sample(ErpMessageTypes.InventoryAdjusted, "m-adj"), default);

        var again = await handler.HandleAsync(Sample(ErpMessageTypes.InventoryAdjusted, "m-adj"), default);

        Assert.Equal(MessageOutcome.Complete, again);
        Assert.Equal(("ADJ-DC1-2026-11-24-0007", -2, "damaged in handling"), Assert.Single(grains.Inventory("JKT-RAIN-NVY-L@dc-chicago").Adjustments));
    }

    [Theory]
    [InlineData(ErpMessageTypes.OrderPostingAccepted, typeof(OrderPostingAccepted))]
    [InlineData(ErpMessageTypes.OrderPostingRejected, typeof(OrderPostingRejected))]
    [InlineData(ErpMessageTypes.ShipmentConfirmed, typeof(ShipmentConfirmed))]
    [InlineData(ErpMessageTypes.InvoicePosted, typeof(InvoicePosted))]
    [InlineData(ErpMessageTypes.ReturnReceived, typeof(ReturnReceived))]
    public async Task OrderMessage_IsAppliedToItsOrder(string messageType, Type contract)
    {
        var outcome = await handler.HandleAsync(Sample(messageType), default);

        Assert.Equal(MessageOutcome.Complete, outcome);
        Assert.IsType(contract, Assert.Single(grains.Order(OrderId).ErpMessages));
    }

    [Fact]
    public async Task ShipmentConfirmed_CarriesEveryFieldToTheOrder()
    {
        await handler.HandleAsync(Sample(ErpMessageTypes.ShipmentConfirmed), default);

        var shipment = Assert.IsType<ShipmentConfirmed>(Assert.Single(grains.Order(OrderId).ErpMessages));
        Assert.Equal("SHP-DC1-000981", shipment.ShipmentId);
        Assert.Equal("dc-chicago", shipment.LocationId);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 18, 2, 0, TimeSpan.Zero), shipment.ShippedAt);
        Assert.Equal("UPS", shipment.Carrier);
        Assert.Equal(new LineQuantity { LineId = "1", Quantity = 1 }, Assert.Single(shipment.Lines));
    }

    [Theory]
    [InlineData(null, "{}", "UnknownMessageType")]
    [InlineData("PriceChanged", "{}", "UnknownMessageType")]
    [InlineData(ErpMessageTypes.OrderPostingAccepted, "", "InvalidJson")]
    [InlineData(ErpMessageTypes.OrderPostingAccepted, "{\"orderId\": ", "InvalidJson")]
    [InlineData(ErpMessageTypes.OrderPostingAccepted, "{\"orderId\": \"ord-web-10001\"}", "SchemaValidationFailed")]
    [InlineData(ErpMessageTypes.InventoryAdjusted, "{\"adjustmentId\":\"a\",\"sku\":\"S\",\"locationId\":\"dc\",\"delta\":\"-2\",\"reason\":\"r\"}", "SchemaValidationFailed")]
    public async Task InvalidMessage_IsDeadLetteredWithItsReasonAndRaisedAsAnException(string? messageType, string body, string reason)
    {
        var message = Message(messageType, body, "m-bad", correlationId: "corr-erp-1");

        var outcome = await handler.HandleAsync(message, default);

        var deadLettered = Assert.IsType<MessageOutcome.DeadLettered>(outcome);
        Assert.Equal(reason, deadLettered.Reason);
        var record = Assert.Single(grains.Registry.Records);
        Assert.Equal(ExceptionKinds.DeadLetter, record.Kind);
        Assert.Equal("m-bad", record.BusinessKey);
        Assert.Equal(new DeadLetteredMessage
        {
            Entity = Entities.ErpInbound, MessageId = "m-bad", SessionId = OrderId, MessageType = messageType, Body = body,
            CorrelationId = "corr-erp-1", Description = deadLettered.Description,
        }, record.Message);
        Assert.DoesNotContain(grains.Writes, call => call.StartsWith("IOrderGrain", StringComparison.Ordinal) || call.StartsWith("IInventoryGrain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MessageOverTheSizeLimit_IsDeadLetteredUnreadAndListedWithoutItsBody()
    {
        var body = $$"""{"orderId":"{{OrderId}}","erpOrderNumber":"SO-1","note":"{{new string('x', 10_000)}}"}""";

        var outcome = await handler.HandleAsync(Message(ErpMessageTypes.OrderPostingAccepted, body, "m-big"), default);

        var deadLettered = Assert.IsType<MessageOutcome.DeadLettered>(outcome);
        Assert.Equal(ErpInboundHandler.MessageTooLarge, deadLettered.Reason);
        Assert.Contains("8192", deadLettered.Description, StringComparison.Ordinal);
        var record = Assert.Single(grains.Registry.Records);
        Assert.Equal((ExceptionKinds.DeadLetter, "m-big"), (record.Kind, record.BusinessKey));
        Assert.StartsWith(ErpInboundHandler.MessageTooLarge, record.Reason, StringComparison.Ordinal);
        Assert.Null(record.Message);
        Assert.DoesNotContain(grains.Writes, call => !call.StartsWith("IExceptionGrain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MessageWithoutASessionId_IsDeadLetteredAndListedAndNothingIsApplied()
    {
        var valid = Message(ErpMessageTypes.OrderPostingAccepted, $$"""{"orderId":"{{OrderId}}","erpOrderNumber":"SO-2"}""", "m-nosession");
        var message = valid with { Message = valid.Message with { SessionId = null } };

        var outcome = await handler.HandleAsync(message, default);

        var deadLettered = Assert.IsType<MessageOutcome.DeadLettered>(outcome);
        Assert.Equal(ErpInboundHandler.MissingSessionId, deadLettered.Reason);
        var record = Assert.Single(grains.Registry.Records);
        Assert.StartsWith(ErpInboundHandler.MissingSessionId, record.Reason, StringComparison.Ordinal);
        Assert.Null(record.Message!.SessionId);
        Assert.DoesNotContain(grains.Writes, call => !call.StartsWith("IExceptionGrain", StringComparison.Ordinal));
        Assert.Null((await grains.Order(OrderId).GetAsync())!.ErpOrderNumber);
    }

    [Fact]
    public async Task DeeplyNestedBody_IsDeadLetteredAsInvalidJson()
    {
        var outcome = await handler.HandleAsync(Message(ErpMessageTypes.InvoicePosted, new string('[', 3000) + new string(']', 3000)), default);

        Assert.Equal("InvalidJson", Assert.IsType<MessageOutcome.DeadLettered>(outcome).Reason);
    }

    [Fact]
    public async Task MessageForAnUnknownOrder_IsDeadLetteredAsOrderNotFound()
    {
        var body = Samples.Read("Erp", "ShipmentConfirmed.json").Replace(OrderId, "ord-missing", StringComparison.Ordinal);

        var outcome = await handler.HandleAsync(Message(ErpMessageTypes.ShipmentConfirmed, body, "m-missing"), default);

        Assert.Equal(ProblemCodes.OrderNotFound, Assert.IsType<MessageOutcome.DeadLettered>(outcome).Reason);
        Assert.Equal("m-missing", Assert.Single(grains.Registry.Records).BusinessKey);
        Assert.Equal(DeliveryUnseen, await DedupeStatusAsync("m-missing"));
    }

    [Fact]
    public async Task InvalidTransition_IsDeadLettered()
    {
        var body = Samples.Read("Erp", "ShipmentConfirmed.json").Replace("\"lineId\": \"1\"", "\"lineId\": \"7\"", StringComparison.Ordinal);

        var outcome = await handler.HandleAsync(Message(ErpMessageTypes.ShipmentConfirmed, body), default);

        Assert.Equal(ProblemCodes.InvalidTransition, Assert.IsType<MessageOutcome.DeadLettered>(outcome).Reason);
    }

    [Fact]
    public async Task TransientFailure_IsAbandonedAndNotRecordedAsProcessed()
    {
        grains.Failure = call => call.Contains("AcceptPosting", StringComparison.Ordinal) ? new TimeoutException("Response did not arrive on time.") : null;

        var outcome = await handler.HandleAsync(Sample(ErpMessageTypes.OrderPostingAccepted, "m-transient"), default);
        grains.Failure = null;
        var retried = await handler.HandleAsync(Sample(ErpMessageTypes.OrderPostingAccepted, "m-transient"), default);

        Assert.Equal(MessageOutcome.Abandon, outcome);
        Assert.Equal(MessageOutcome.Complete, retried);
        Assert.Single(grains.Order(OrderId).ErpMessages);
        Assert.Empty(grains.Registry.Records);
        Assert.Equal([TimeSpan.FromSeconds(1)], timers.Waits);
    }

    [Fact]
    public async Task TransientFailure_PausesLongerAtEachDelivery_SoTheDeliveriesOutlastASiloFailure()
    {
        grains.Failure = call => call.Contains("AcceptPosting", StringComparison.Ordinal) ? new TimeoutException("Response did not arrive on time.") : null;
        var body = Samples.Read("Erp", "OrderPostingAccepted.json");

        var outcomes = new List<MessageOutcome>();
        for (var delivery = 1; delivery < ErpInboundHandler.MaxDeliveries; delivery++)
        {
            outcomes.Add(await handler.HandleAsync(Message(ErpMessageTypes.OrderPostingAccepted, body, "m-outage", deliveryCount: delivery), default));
        }

        Assert.All(outcomes, outcome => Assert.Equal(MessageOutcome.Abandon, outcome));
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30, 30], timers.Waits.Select(wait => wait.TotalSeconds));
        Assert.True(timers.Waits.Aggregate(TimeSpan.Zero, (sum, wait) => sum + wait) > TimeSpan.FromMinutes(2));
        Assert.Empty(grains.Registry.Records);
    }

    [Fact]
    public async Task TransientFailure_AtTheLastDelivery_IsDeadLetteredAndRaised()
    {
        grains.Failure = call => call.Contains("AcceptPosting", StringComparison.Ordinal) ? new TimeoutException("Response did not arrive on time.") : null;
        var message = Message(ErpMessageTypes.OrderPostingAccepted, Samples.Read("Erp", "OrderPostingAccepted.json"), "m-last", deliveryCount: ErpInboundHandler.MaxDeliveries);

        var outcome = await handler.HandleAsync(message, default);

        Assert.Equal("MaxDeliveriesExceeded", Assert.IsType<MessageOutcome.DeadLettered>(outcome).Reason);
        Assert.Equal(ExceptionKinds.DeadLetter, Assert.Single(grains.Registry.Records).Kind);
    }

    [Fact]
    public async Task DeadLetter_WhenTheRegistryIsUnavailable_AbandonsInstead()
    {
        grains.Failure = call => call.StartsWith("IExceptionGrain", StringComparison.Ordinal) ? new TimeoutException("Response did not arrive on time.") : null;

        var outcome = await handler.HandleAsync(Message("PriceChanged", "{}"), default);

        Assert.Equal(MessageOutcome.Abandon, outcome);
    }

    [Fact]
    public async Task Message_MakesItsCorrelationIdCurrentForTheGrainCalls()
    {
        var message = Message(ErpMessageTypes.OrderPostingAccepted, Samples.Read("Erp", "OrderPostingAccepted.json"), correlationId: "corr-erp-7");

        await handler.HandleAsync(message, default);

        Assert.Contains(grains.Correlated, entry => entry.Call.EndsWith(".AcceptPosting", StringComparison.Ordinal) && entry.CorrelationId == "corr-erp-7");
    }

    private const Contracts.Integration.DeliveryStatus DeliveryUnseen = Contracts.Integration.DeliveryStatus.Unseen;

    private async Task<Contracts.Integration.DeliveryStatus> DedupeStatusAsync(string messageId) =>
        (await grains.Dedupe($"erp/{messageId}").GetAsync()).Status;
}
