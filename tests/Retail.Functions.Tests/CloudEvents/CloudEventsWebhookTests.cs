using System.Net;
using System.Text;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Orders;
using Retail.Functions.CloudEvents;
using Retail.Functions.Orders;
using Retail.Functions.Tests.Webhooks;
using Retail.Functions.Webhooks;

namespace Retail.Functions.Tests.CloudEvents;

public sealed class CloudEventsWebhookTests : IAsyncLifetime
{
    private const string Structured = "application/cloudevents+json; charset=utf-8";
    private BridgeHost host = null!;

    public async Task InitializeAsync() => host = await BridgeHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    private static byte[] PosSale => Samples.Bytes("CloudEvents", "pos-sale.structured.json");

    [Fact]
    public async Task PosSale_TakesInAPaidPickupOrderAndConfirmsItsShipmentAtTheStore()
    {
        var response = await host.PostEventAsync("pos", PosSale, Structured, BridgeHost.PosSecret);

        var answer = await Answers.OkAsync(response, WebhookStatuses.Processed);
        var orderId = OrderIntake.OrderIdFor(Channels.Pos, "BM3-20261124-0087");
        Assert.Equal(orderId, answer.GetProperty("orderId").GetString());
        var order = host.Grains.Order(orderId);
        Assert.Equal(Channels.Pos, order.Submitted!.Channel);
        Assert.Equal(new Fulfillment { Method = FulfillmentMethods.Pickup, PickupLocationId = "store-berlin-mitte" }, order.Submitted.Fulfillment);
        Assert.Equal(PaymentStatuses.Captured, order.Submitted.Payment!.Status);
        Assert.Equal("8816093874152345", order.Submitted.Payment.Reference);
        var shipment = Assert.IsType<ShipmentConfirmed>(Assert.Single(order.ErpMessages));
        Assert.Equal("store-berlin-mitte", shipment.LocationId);
        Assert.Equal([("1", 1), ("2", 2)], shipment.Lines.Select(line => (line.LineId, line.Quantity)));
    }

    [Fact]
    public async Task PosSale_WhenDeliveredTwice_IsTakenInAndShippedOnce()
    {
        await host.PostEventAsync("pos", PosSale, Structured, BridgeHost.PosSecret);

        var again = await host.PostEventAsync("pos", PosSale, Structured, BridgeHost.PosSecret);

        await Answers.OkAsync(again, WebhookStatuses.Duplicate);
        var order = host.Grains.Order(OrderIntake.OrderIdFor(Channels.Pos, "BM3-20261124-0087"));
        Assert.Equal(1, order.SubmitCount);
        Assert.Single(order.ErpMessages);
    }

    [Fact]
    public async Task MarketplaceOrder_TakesInTheOrderUnderTheMarketplaceChannel()
    {
        var response = await host.PostEventAsync("marketplace", Samples.Bytes("CloudEvents", "marketplace-order.structured.json"), Structured, BridgeHost.MarketplaceSecret);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var order = host.Grains.Order(OrderIntake.OrderIdFor(Channels.Marketplace, "302-1234567-7654321")).Submitted!;
        Assert.Equal(Channels.Marketplace, order.Channel);
        Assert.Equal(85.59m, order.Totals!.GrandTotal);
        Assert.Equal("Princeton", order.ShipTo!.City);
    }

    [Fact]
    public async Task WmsShipment_InBinaryMode_ConfirmsTheShipmentOnTheOrder()
    {
        await host.Grains.Order("ord-web-10001").SubmitAsync(new CanonicalOrder
        {
            OrderId = "ord-web-10001", Channel = Channels.Web, ChannelOrderId = "web-10001", Currency = "USD",
            Lines = [new OrderLine { LineId = "1", Sku = "SOCK-TRL-CHR-M", Quantity = 2, UnitPrice = 19.99m }],
        });

        var response = await host.PostEventAsync("wms", Samples.Bytes("CloudEvents", "wms-shipment.data.json"), "application/json", BridgeHost.WmsSecret, BinaryHeaders("retail.wms.shipment"));

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        var shipment = Assert.IsType<ShipmentConfirmed>(Assert.Single(host.Grains.Order("ord-web-10001").ErpMessages));
        Assert.Equal("SHP-DC1-000981", shipment.ShipmentId);
        Assert.Equal("1Z999AA10123456784", shipment.TrackingNumber);
    }

    [Fact]
    public async Task WmsShipment_WhenItNamesALineTheOrderDoesNotHave_AcknowledgesAndRaisesAnException()
    {
        await host.Grains.Order("ord-web-10001").SubmitAsync(new CanonicalOrder
        {
            OrderId = "ord-web-10001", Channel = Channels.Web, ChannelOrderId = "web-10001", Currency = "USD",
            Lines = [new OrderLine { LineId = "9", Sku = "SOCK-TRL-CHR-M", Quantity = 2, UnitPrice = 19.99m }],
        });

        var response = await host.PostEventAsync("wms", Samples.Bytes("CloudEvents", "wms-shipment.data.json"), "application/json", BridgeHost.WmsSecret, BinaryHeaders("retail.wms.shipment"));

        await Answers.OkAsync(response, WebhookStatuses.Rejected);
        var record = Assert.Single(host.Grains.Registry.Records);
        Assert.Equal("WebhookRejected", record.Kind);
        Assert.Equal("ord-web-10001", record.BusinessKey);
    }

    [Theory]
    [InlineData("pos", BridgeHost.WmsSecret)]
    [InlineData("pos", null)]
    [InlineData("unknown-source", BridgeHost.PosSecret)]
    public async Task Post_WhenSignatureDoesNotMatchTheSourcesSecret_Answers401AndStoresNothing(string source, string? secret)
    {
        var response = await host.PostEventAsync(source, PosSale, Structured, secret);

        await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Theory]
    [InlineData("sha256=not-hex-at-all")]
    [InlineData("sha1=0123")]
    [InlineData("")]
    public async Task Post_WhenSignatureIsGarbage_Answers401AndStoresNothing(string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/events/pos") { Content = new ByteArrayContent(PosSale) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(Structured);
        request.Headers.TryAddWithoutValidation("X-Signature", signature);

        var response = await host.Client.SendAsync(request);

        await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task Post_WhenBodyWasTampered_Answers401AndStoresNothing()
    {
        var signature = "sha256=" + WebhookSignature.ComputeHex(PosSale, BridgeHost.PosSecret);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(PosSale).Replace("\"quantity\": 2", "\"quantity\": 1", StringComparison.Ordinal));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/events/pos") { Content = new ByteArrayContent(tampered) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(Structured);
        request.Headers.Add("X-Signature", signature);

        var response = await host.Client.SendAsync(request);

        await Answers.ProblemAsync(response, HttpStatusCode.Unauthorized, ProblemCodes.WebhookSignatureInvalid);
    }

    [Fact]
    public async Task Post_WhenDataBreaksItsSchema_Answers400WithTheField()
    {
        var invalid = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(PosSale).Replace("\"quantity\": 2", "\"quantity\": \"two\"", StringComparison.Ordinal));

        var response = await host.PostEventAsync("pos", invalid, Structured, BridgeHost.PosSecret);

        var problem = await Answers.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        Assert.Contains("quantity", problem.GetProperty("errors").GetRawText(), StringComparison.Ordinal);
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task Post_WhenRequiredAttributesAreMissing_Answers400()
    {
        var body = Encoding.UTF8.GetBytes("{\"specversion\":\"1.0\",\"type\":\"retail.pos.sale\",\"data\":{}}");

        var response = await host.PostEventAsync("pos", body, Structured, BridgeHost.PosSecret);

        var problem = await Answers.ProblemAsync(response, HttpStatusCode.BadRequest, ProblemCodes.ValidationFailed);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("id", out _));
        Assert.True(errors.TryGetProperty("source", out _));
    }

    [Fact]
    public async Task Post_WhenNeitherStructuredNorBinary_Answers400Unsupported()
    {
        var response = await host.PostEventAsync("pos", Samples.Bytes("CloudEvents", "wms-shipment.data.json"), "application/json", BridgeHost.PosSecret);

        await Answers.ProblemAsync(response, HttpStatusCode.BadRequest, WebhookProblemCodes.UnsupportedEvent);
    }

    [Fact]
    public async Task Post_WhenTypeIsNotHandled_AnswersIgnored()
    {
        var body = Encoding.UTF8.GetBytes("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"urn:pos\",\"type\":\"retail.pos.shift-closed\",\"data\":{}}");

        var response = await host.PostEventAsync("pos", body, Structured, BridgeHost.PosSecret);

        await Answers.OkAsync(response, WebhookStatuses.Ignored);
    }

    [Fact]
    public async Task Options_AnswersTheValidationHandshakeForAConfiguredSource()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/webhooks/events/marketplace");
        request.Headers.Add("WebHook-Request-Origin", "eventemitter.example-marketplace.com");
        request.Headers.Add("WebHook-Request-Rate", "120");

        var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("eventemitter.example-marketplace.com", response.Headers.GetValues("WebHook-Allowed-Origin").Single());
        Assert.Equal("120", response.Headers.GetValues("WebHook-Allowed-Rate").Single());
        Assert.True(host.Grains.Calls.IsEmpty);
    }

    [Fact]
    public async Task Options_WhenSourceIsNotConfigured_Answers404()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/webhooks/events/nobody");
        request.Headers.Add("WebHook-Request-Origin", "eventemitter.example.com");

        var response = await host.Client.SendAsync(request);

        await Answers.ProblemAsync(response, HttpStatusCode.NotFound, WebhookProblemCodes.UnknownSource);
    }

    [Fact]
    public async Task WmsShipment_InBinaryModeWithExtensionAttributes_IsProcessedUnderItsSourceAndId()
    {
        await host.Grains.Order("ord-web-10001").SubmitAsync(new CanonicalOrder
        {
            OrderId = "ord-web-10001", Channel = Channels.Web, ChannelOrderId = "web-10001", Currency = "USD",
            Lines = [new OrderLine { LineId = "1", Sku = "SOCK-TRL-CHR-M", Quantity = 2, UnitPrice = 19.99m }],
        });
        var headers = BinaryHeaders("retail.wms.shipment");
        headers["ce-subject"] = "shipment%2FSHP-DC1-000981";
        headers["ce-correlationid"] = "wms-run-77";
        headers["ce-partitionkey"] = "dc-chicago";

        var response = await host.PostEventAsync("wms", Samples.Bytes("CloudEvents", "wms-shipment.data.json"), "application/json; charset=utf-8", BridgeHost.WmsSecret, headers);

        await Answers.OkAsync(response, WebhookStatuses.Processed);
        Assert.Contains("IInboundDedupeGrain/events/wms/urn:wms:dc-chicago#wms-evt-000981.TryBegin", host.Grains.Calls);
        var shipment = Assert.IsType<ShipmentConfirmed>(Assert.Single(host.Grains.Order("ord-web-10001").ErpMessages));
        Assert.Equal("SHP-DC1-000981", shipment.ShipmentId);
    }

    [Fact]
    public void Read_BinaryModeWithExtensionAttributes_KeepsThemDecoded()
    {
        var headers = BinaryHeaders("retail.wms.shipment");
        headers["Content-Type"] = "application/json";
        headers["ce-subject"] = "shipment%2FSHP-DC1-000981";
        headers["ce-correlationid"] = "wms-run-77";
        headers["ce-partitionkey"] = "dc-chicago";
        var request = new WebhookRequest { Body = Samples.Bytes("CloudEvents", "wms-shipment.data.json"), Headers = WebhookRequest.HeadersFrom(headers) };

        var cloudEvent = IncomingCloudEvent.Read(request, out var problem);

        Assert.Null(problem);
        Assert.NotNull(cloudEvent);
        Assert.Equal("shipment/SHP-DC1-000981", cloudEvent.Subject);
        Assert.Equal("wms-run-77", cloudEvent["correlationid"]);
        Assert.Equal("dc-chicago", cloudEvent["partitionkey"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 18, 2, 5, TimeSpan.Zero), cloudEvent.Time);
        Assert.Equal("SHP-DC1-000981", ((System.Text.Json.JsonElement)cloudEvent.Data!).GetProperty("shipmentId").GetString());
    }

    private static Dictionary<string, string> BinaryHeaders(string type) => new()
    {
        ["ce-specversion"] = "1.0",
        ["ce-id"] = "wms-evt-000981",
        ["ce-source"] = "urn:wms:dc-chicago",
        ["ce-type"] = type,
        ["ce-time"] = "2026-11-24T18:02:05Z",
    };
}
