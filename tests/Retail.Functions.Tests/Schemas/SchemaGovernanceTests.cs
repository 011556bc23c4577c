using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Orders;
using Retail.Contracts.Schemas;
using Retail.Functions.Shopify;
using Retail.Functions.Validation;

namespace Retail.Functions.Tests.Schemas;

public sealed class SchemaGovernanceTests
{
    private const string UpdateBaselineVariable = "RETAIL_UPDATE_SCHEMA_BASELINE";
    private static readonly string BaselinePath = Path.Combine(AppContext.BaseDirectory, "Schemas", "schema-baseline.json");
    private readonly SchemaValidator validator = new();

    public static TheoryData<string> SchemaNames => [.. SchemaCatalog.Names];

    public static TheoryData<string> ErpMessageTypeNames => [.. ErpMessageTypes.Inbound.Concat(ErpMessageTypes.Outbound)];

    [Fact]
    public void Catalog_HasASchemaForTheOrderEveryErpMessageAndEveryEventType()
    {
        var expected = new[] { SchemaCatalog.CanonicalOrder, SchemaCatalog.EventEnvelope }
            .Concat(ErpMessageTypes.Inbound.Concat(ErpMessageTypes.Outbound).Select(SchemaCatalog.ForErpMessage))
            .Concat(EventTypes.All.Select(SchemaCatalog.ForEventData));

        Assert.DoesNotContain(expected, name => !SchemaCatalog.Contains(name));
    }

    [Theory]
    [MemberData(nameof(SchemaNames))]
    public async Task Schema_IsAWellFormedDraft07SchemaWhoseReferencesAndRequiredFieldsResolve(string name)
    {
        var text = SchemaCatalog.Read(name);
        var schema = await JsonSchema.FromJsonAsync(text);
        var json = JsonNode.Parse(text)!.AsObject();

        Assert.Equal("http://json-schema.org/draft-07/schema#", json["$schema"]!.GetValue<string>());
        Assert.Equal($"https://schemas.retail.example/{name}", json["$id"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(json["title"]?.GetValue<string>()));
        Assert.Equal(JsonObjectType.Object, schema.Type & JsonObjectType.Object);
        var shape = SchemaShape.Of(text);
        Assert.DoesNotContain(shape.Required, path => !shape.Fields.ContainsKey(path));
    }

    [Fact]
    public void Read_WhenNameIsUnknown_Throws()
    {
        Assert.Throws<KeyNotFoundException>(() => SchemaCatalog.Read("erp.NoSuchMessage.schema.json"));
    }

    [Theory]
    [MemberData(nameof(ErpMessageTypeNames))]
    public async Task ErpSample_ValidatesAgainstItsSchema(string messageType)
    {
        var errors = await validator.ValidateAsync(SchemaCatalog.ForErpMessage(messageType), Samples.Read("Erp", $"{messageType}.json"));

        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(ErpMessageTypeNames))]
    public async Task ErpSample_ReadIntoItsContractAndWrittenBack_StillValidates(string messageType)
    {
        var contract = typeof(ErpMessageTypes).Assembly.GetType($"Retail.Contracts.Erp.{messageType}")!;
        var value = JsonSerializer.Deserialize(Samples.Read("Erp", $"{messageType}.json"), contract, RetailJson.Options);

        var errors = await validator.ValidateAsync(SchemaCatalog.ForErpMessage(messageType), JsonSerializer.Serialize(value, contract, RetailJson.Options));

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("ShipmentConfirmed", "{\"orderId\":\"o-1\",\"shipmentId\":\"s-1\",\"locationId\":\"dc\",\"shippedAt\":\"2026-11-24T18:02:00Z\",\"lines\":[]}", "lines")]
    [InlineData("InventoryAdjusted", "{\"adjustmentId\":\"a\",\"sku\":\"S\",\"locationId\":\"dc\",\"delta\":\"-2\",\"reason\":\"r\"}", "delta")]
    [InlineData("OrderPostingAccepted", "{\"orderId\":\"o-1\"}", "erpOrderNumber")]
    [InlineData("InvoicePosted", "{\"orderId\":\"o-1\",\"invoiceId\":\"i\",\"postedAt\":\"yesterday\",\"lines\":[{\"lineId\":\"1\",\"quantity\":1,\"amount\":1}],\"total\":1}", "postedAt")]
    public async Task ErpSchema_WhenMessageBreaksIt_NamesTheField(string messageType, string body, string field)
    {
        var errors = await validator.ValidateAsync(SchemaCatalog.ForErpMessage(messageType), body);

        Assert.Contains(errors, error => error.Key.Contains(field, StringComparison.Ordinal) || error.Value.Any(message => message.Contains(field, StringComparison.OrdinalIgnoreCase)));
    }

    [Theory]
    [InlineData("orders-create.json")]
    [InlineData("orders-create-pickup.json")]
    public async Task CanonicalOrderMappedFromShopify_ValidatesAgainstTheCanonicalSchema(string sample)
    {
        var payload = JsonSerializer.Deserialize<ShopifyOrder>(Samples.Read("Shopify", sample), ShopifyJson.Options)!;
        var order = ShopifyOrderMapper.Map(payload, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Berlin Mitte Store"] = "store-berlin-mitte" });

        var errors = await validator.ValidateAsync(SchemaCatalog.CanonicalOrder, JsonSerializer.Serialize(order, RetailJson.Options));

        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("pos-sale.structured.json")]
    [InlineData("marketplace-order.structured.json")]
    public async Task CloudEventSample_DataValidatesAgainstItsTypesSchema(string sample)
    {
        var cloudEvent = JsonNode.Parse(Samples.Read("CloudEvents", sample))!;

        var errors = await validator.ValidateAsync(SchemaCatalog.ForEventData(cloudEvent["type"]!.GetValue<string>()), cloudEvent["data"]!.ToJsonString());

        Assert.Empty(errors);
    }

    [Fact]
    public async Task WmsShipmentSample_ValidatesAgainstItsSchema()
    {
        var errors = await validator.ValidateAsync(SchemaCatalog.ForEventData("retail.wms.shipment"), Samples.Read("CloudEvents", "wms-shipment.data.json"));

        Assert.Empty(errors);
    }

    public static TheoryData<string> EventTypeNames => [.. EventTypes.All];

    [Theory]
    [MemberData(nameof(EventTypeNames))]
    public async Task EventBuiltFromTheContracts_ValidatesAgainstEnvelopeAndDataSchemas(string type)
    {
        object data = type switch
        {
            _ when type.StartsWith("retail.order.", StringComparison.Ordinal) => new OrderEventData
            {
                OrderId = "ord-web-10001", Channel = "web", ChannelOrderId = "web-10001", Status = OrderStatus.PartiallyShipped,
                Lines = [new LineQuantity { LineId = "1", Quantity = 1 }], Amount = 21.49m,
                Promises = [new LinePromise { LineId = "2", LocationId = "dc-chicago", Quantity = 2, PromisedAt = new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero) }],
            },
            EventTypes.InventoryInboundChanged => new InboundChangedEventData
            {
                Sku = "SOCK-TRL-CHR-M", LocationId = "dc-chicago", Reference = "po:PO-2026-0412", Kind = "purchase-order", Quantity = 120, Promised = 7,
                ExpectedAt = new DateTimeOffset(2026, 11, 26, 8, 0, 0, TimeSpan.Zero), Inbound = 144, Reason = "expected",
            },
            _ when type.StartsWith("retail.transfer.", StringComparison.Ordinal) => new TransferEventData
            {
                TransferId = "TR-8812", FromLocationId = "dc-chicago", ToLocationId = "store-berlin-mitte", At = new DateTimeOffset(2026, 11, 28, 9, 12, 0, TimeSpan.Zero),
                Lines = [new SkuQuantity { Sku = "SOCK-TRL-CHR-M", Quantity = 23 }], Variances = [new SkuQuantity { Sku = "SOCK-TRL-CHR-M", Quantity = -1 }],
            },
            _ when type.StartsWith("retail.inventory.", StringComparison.Ordinal) => new InventoryEventData
            {
                Sku = "SOCK-TRL-CHR-M", LocationId = "dc-chicago", OnHand = 240, SafetyStock = 5, Reserved = 12, Available = 223, Variance = -3,
            },
            _ => new ExceptionEventData { ExceptionId = "ex-1", Kind = "UnknownSku", BusinessKey = "ord-web-10001", Reason = "SKU X is unknown", Attempts = 1 },
        };
        var retailEvent = new RetailEvent
        {
            Id = RetailEvent.IdFor("ord-web-10001", 3),
            Source = EventSources.Orders,
            Type = type,
            Subject = "ord-web-10001",
            Time = new DateTimeOffset(2026, 11, 24, 18, 2, 0, TimeSpan.Zero),
            Data = JsonSerializer.SerializeToElement(data, RetailJson.Options),
            CorrelationId = "corr-1",
            Sequence = 3,
        };

        var envelopeErrors = await validator.ValidateAsync(SchemaCatalog.EventEnvelope, retailEvent.ToJson());
        var dataErrors = await validator.ValidateAsync(SchemaCatalog.ForEventData(type), retailEvent.Data.GetRawText());

        Assert.Empty(envelopeErrors);
        Assert.Empty(dataErrors);
    }

    [Fact]
    public void Schemas_AreCompatibleWithTheCommittedBaseline()
    {
        var current = SchemaCatalog.Names.ToDictionary(name => name, name => SchemaShape.Of(SchemaCatalog.Read(name)), StringComparer.Ordinal);
        var baselinePath = BaselinePath;
        if (Environment.GetEnvironmentVariable(UpdateBaselineVariable) is { } sourcePath && sourcePath.Length > 0)
        {
            baselinePath = sourcePath;
            var document = new JsonObject(current.Select(entry => KeyValuePair.Create(entry.Key, (JsonNode?)entry.Value.ToJson())));
            File.WriteAllText(sourcePath, document.ToJsonString(SchemaShape.WriteOptions) + Environment.NewLine);
        }
        var baseline = JsonNode.Parse(File.ReadAllText(baselinePath))!.AsObject();

        var breaking = baseline
            .SelectMany(entry => current.TryGetValue(entry.Key, out var shape)
                ? SchemaShape.FromJson(entry.Value!.AsObject()).BreakingChanges(shape).Select(problem => $"{entry.Key}: {problem}")
                : [$"{entry.Key}: the schema was removed"])
            .ToList();

        Assert.NotEmpty(baseline);
        Assert.True(breaking.Count == 0, "Breaking schema changes:\n" + string.Join('\n', breaking));
        Assert.DoesNotContain(current.Keys, name => !baseline.ContainsKey(name));
    }
}
