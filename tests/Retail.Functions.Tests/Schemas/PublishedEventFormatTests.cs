using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Retail.Contracts;
using Retail.Contracts.Events;
using Retail.Contracts.Orders;
using Retail.Contracts.Schemas;
using Retail.Functions.Validation;

namespace Retail.Functions.Tests.Schemas;

/// <summary>A published event as a subscriber sees it: read with the CloudEvents SDK alone, no Retail types.</summary>
public sealed class PublishedEventFormatTests
{
    private static readonly RetailEvent Published = new()
    {
        Id = RetailEvent.IdFor("ord-web-10001", 7),
        Source = EventSources.Orders,
        Type = EventTypes.OrderShipped,
        Subject = "ord-web-10001",
        Time = new DateTimeOffset(2026, 11, 24, 19, 2, 5, TimeSpan.FromHours(1)),
        Data = JsonSerializer.SerializeToElement(new OrderEventData
        {
            OrderId = "ord-web-10001", Channel = "web", ChannelOrderId = "web-10001", Status = OrderStatus.Shipped,
            Lines = [new LineQuantity { LineId = "1", Quantity = 2 }],
        }, RetailJson.Options),
        CorrelationId = "corr-42",
        Sequence = 7,
    };

    private static CloudEvent ReadAsASubscriber(IEnumerable<CloudEventAttribute>? extensions) =>
        new JsonEventFormatter().DecodeStructuredModeMessage(
            Encoding.UTF8.GetBytes(Published.ToJson()), new ContentType("application/cloudevents+json"), extensions);

    [Fact]
    public void ToJson_ReadWithTheSdksFormatter_GivesEveryAttributeAndTheData()
    {
        var cloudEvent = ReadAsASubscriber(
        [
            CloudEventAttribute.CreateExtension("correlationid", CloudEventAttributeType.String),
            CloudEventAttribute.CreateExtension("sequence", CloudEventAttributeType.Integer),
        ]);

        Assert.Equal(CloudEventsSpecVersion.V1_0, cloudEvent.SpecVersion);
        Assert.Equal("ord-web-10001:7", cloudEvent.Id);
        Assert.Equal("/retail/orders", cloudEvent.Source!.OriginalString);
        Assert.Equal("retail.order.shipped", cloudEvent.Type);
        Assert.Equal("ord-web-10001", cloudEvent.Subject);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 18, 2, 5, TimeSpan.Zero), cloudEvent.Time);
        Assert.Equal("application/json", cloudEvent.DataContentType);
        Assert.Equal("corr-42", cloudEvent["correlationid"]);
        Assert.Equal(7, cloudEvent["sequence"]);
        var data = Assert.IsType<JsonElement>(cloudEvent.Data);
        Assert.Equal("ord-web-10001", data.GetProperty("orderId").GetString());
        Assert.Equal(2, data.GetProperty("lines")[0].GetProperty("quantity").GetInt32());
    }

    [Fact]
    public void ToJson_ReadWithoutDeclaringTheExtensions_StillCarriesThem()
    {
        var cloudEvent = ReadAsASubscriber(null);

        Assert.Equal("corr-42", cloudEvent["correlationid"]?.ToString());
        Assert.Equal("7", cloudEvent["sequence"]?.ToString());
    }

    [Fact]
    public void Parse_OfToJson_GivesTheSameEvent()
    {
        var parsed = RetailEvent.Parse(Published.ToJson());

        Assert.Equal(
            (Published.Id, Published.Source, Published.Type, Published.Subject, Published.Time, Published.CorrelationId, Published.Sequence),
            (parsed.Id, parsed.Source, parsed.Type, parsed.Subject, parsed.Time, parsed.CorrelationId, parsed.Sequence));
        Assert.Equal(Published.Data.GetRawText(), parsed.Data.GetRawText());
    }

    [Fact]
    public async Task ToJson_AgainstTheEventEnvelopeSchema_IsValid()
    {
        var validator = new SchemaValidator();

        Assert.Empty(await validator.ValidateAsync(SchemaCatalog.EventEnvelope, Published.ToJson()));
    }
}
