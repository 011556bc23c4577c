using System.Text.Json;

namespace Retail.Contracts.Events;

/// <summary>The <c>type</c> values of the events on <c>retail-events</c> (CONTRACTS.md section 6).</summary>
public static class EventTypes
{
    public const string OrderReceived = "retail.order.received";
    public const string OrderReserved = "retail.order.reserved";
    public const string OrderBackordered = "retail.order.backordered";
    public const string OrderOnHold = "retail.order.on-hold";
    public const string OrderReleased = "retail.order.released";
    public const string OrderShipped = "retail.order.shipped";
    public const string OrderInvoiced = "retail.order.invoiced";
    public const string OrderCancelled = "retail.order.cancelled";
    public const string OrderReturnAuthorized = "retail.order.return-authorized";
    public const string OrderReturned = "retail.order.returned";
    public const string OrderRefunded = "retail.order.refunded";
    public const string OrderCompleted = "retail.order.completed";
    public const string InventoryChanged = "retail.inventory.changed";
    public const string InventoryVarianceDetected = "retail.inventory.variance-detected";
    public const string ExceptionRaised = "retail.exception.raised";
    public const string ExceptionResolved = "retail.exception.resolved";

    public static IReadOnlyList<string> All { get; } =
    [
        OrderReceived, OrderReserved, OrderBackordered, OrderOnHold, OrderReleased, OrderShipped, OrderInvoiced,
        OrderCancelled, OrderReturnAuthorized, OrderReturned, OrderRefunded, OrderCompleted,
        InventoryChanged, InventoryVarianceDetected, ExceptionRaised, ExceptionResolved,
    ];
}

/// <summary>The <c>source</c> values of events.</summary>
public static class EventSources
{
    public const string Orders = "/retail/orders";
    public const string Inventory = "/retail/inventory";
    public const string Exceptions = "/retail/exceptions";
}

/// <summary>
/// A CloudEvents 1.0 event in structured JSON mode. <see cref="Id"/> is deterministic
/// (<see cref="IdFor"/>), <see cref="Sequence"/> is monotonic per <see cref="Subject"/>.
/// </summary>
public sealed record RetailEvent
{
    public string SpecVersion { get; init; } = "1.0";
    public string Id { get; init; } = "";
    public string Source { get; init; } = "";
    public string Type { get; init; } = "";
    public string Subject { get; init; } = "";
    public DateTimeOffset Time { get; init; }
    public string DataContentType { get; init; } = "application/json";
    public JsonElement Data { get; init; }
    /// <summary>Extension attribute: the business correlation id.</summary>
    public string? CorrelationId { get; init; }
    /// <summary>Extension attribute: the event's position in its subject's stream, from 1.</summary>
    public long Sequence { get; init; }

    public static string IdFor(string subject, long sequence) => $"{subject}:{sequence}";

    /// <summary>The CloudEvents JSON form (attribute names in lower case, as the spec requires).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", SpecVersion);
            writer.WriteString("id", Id);
            writer.WriteString("source", Source);
            writer.WriteString("type", Type);
            writer.WriteString("subject", Subject);
            writer.WriteString("time", Time.UtcDateTime);
            writer.WriteString("datacontenttype", DataContentType);
            if (CorrelationId is not null)
            {
                writer.WriteString("correlationid", CorrelationId);
            }
            writer.WriteNumber("sequence", Sequence);
            writer.WritePropertyName("data");
            Data.WriteTo(writer);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static RetailEvent Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new RetailEvent
        {
            SpecVersion = root.GetProperty("specversion").GetString() ?? "",
            Id = root.GetProperty("id").GetString() ?? "",
            Source = root.GetProperty("source").GetString() ?? "",
            Type = root.GetProperty("type").GetString() ?? "",
            Subject = root.GetProperty("subject").GetString() ?? "",
            Time = root.GetProperty("time").GetDateTimeOffset(),
            DataContentType = root.TryGetProperty("datacontenttype", out var contentType) ? contentType.GetString() ?? "" : "application/json",
            CorrelationId = root.TryGetProperty("correlationid", out var correlation) ? correlation.GetString() : null,
            Sequence = root.GetProperty("sequence").GetInt64(),
            Data = root.GetProperty("data").Clone(),
        };
    }
}
