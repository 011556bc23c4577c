using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

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
    public const string InventoryInboundChanged = "retail.inventory.inbound-changed";
    public const string TransferShipped = "retail.transfer.shipped";
    public const string TransferReceived = "retail.transfer.received";
    public const string OrderPromised = "retail.order.promised";
    public const string OrderPromiseChanged = "retail.order.promise-changed";
    public const string ExceptionRaised = "retail.exception.raised";
    public const string ExceptionResolved = "retail.exception.resolved";

    public static IReadOnlyList<string> All { get; } =
    [
        OrderReceived, OrderReserved, OrderBackordered, OrderOnHold, OrderReleased, OrderShipped, OrderInvoiced,
        OrderCancelled, OrderReturnAuthorized, OrderReturned, OrderRefunded, OrderCompleted,
        InventoryChanged, InventoryVarianceDetected, ExceptionRaised, ExceptionResolved,
        InventoryInboundChanged, TransferShipped, TransferReceived, OrderPromised, OrderPromiseChanged,
    ];
}

/// <summary>The <c>source</c> values of events.</summary>
public static class EventSources
{
    public const string Orders = "/retail/orders";
    public const string Inventory = "/retail/inventory";
    public const string Exceptions = "/retail/exceptions";
    public const string Transfers = "/retail/transfers";
}

/// <summary>
/// An event on <c>retail-events</c>: a CloudEvents 1.0 event with the extension attributes <c>correlationid</c> and
/// <c>sequence</c>. <see cref="Id"/> is deterministic (<see cref="IdFor"/>), <see cref="Sequence"/> is monotonic per
/// <see cref="Subject"/>. It is built and serialised with the CNCF CloudEvents SDK (<see cref="ToCloudEvent"/>,
/// <see cref="ToJson"/>), so a subscriber reads it with any CloudEvents SDK.
/// </summary>
public sealed record RetailEvent
{
    public const string DataContentType = "application/json";

    /// <summary>Extension attribute <c>correlationid</c>: the business correlation id of the flow that caused the event.</summary>
    public static CloudEventAttribute CorrelationIdAttribute { get; } = CloudEventAttribute.CreateExtension("correlationid", CloudEventAttributeType.String);

    /// <summary>
    /// Extension attribute <c>sequence</c>: the event's position in its subject's stream, from 1. A CloudEvents
    /// Integer, which is 32-bit.
    /// </summary>
    public static CloudEventAttribute SequenceAttribute { get; } = CloudEventAttribute.CreateExtension("sequence", CloudEventAttributeType.Integer);

    /// <summary>The extension attributes a reader declares to get them typed.</summary>
    public static IReadOnlyList<CloudEventAttribute> ExtensionAttributes { get; } = [CorrelationIdAttribute, SequenceAttribute];

    private static readonly JsonEventFormatter Formatter = new();
    private static readonly ContentType StructuredContentType = new("application/cloudevents+json");

    public string Id { get; init; } = "";
    public string Source { get; init; } = "";
    public string Type { get; init; } = "";
    public string Subject { get; init; } = "";
    public DateTimeOffset Time { get; init; }
    public JsonElement Data { get; init; }
    public string? CorrelationId { get; init; }
    public long Sequence { get; init; }

    public static string IdFor(string subject, long sequence) => $"{subject}:{sequence}";

    /// <summary>The event as the CloudEvents SDK's <see cref="CloudEvent"/>.</summary>
    public CloudEvent ToCloudEvent()
    {
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, ExtensionAttributes)
        {
            Id = Id,
            Source = new Uri(Source, UriKind.RelativeOrAbsolute),
            Type = Type,
            Subject = Subject,
            Time = Time.ToUniversalTime(),
            DataContentType = DataContentType,
            Data = Data,
        };
        if (CorrelationId is not null)
        {
            cloudEvent[CorrelationIdAttribute] = CorrelationId;
        }
        cloudEvent[SequenceAttribute] = checked((int)Sequence);
        return cloudEvent.Validate();
    }

    /// <summary>The structured-mode JSON form (<c>application/cloudevents+json</c>) written by the SDK's JSON formatter.</summary>
    public string ToJson() => Encoding.UTF8.GetString(Formatter.EncodeStructuredModeMessage(ToCloudEvent(), out _).Span);

    /// <summary>Reads the structured-mode JSON form with the SDK's JSON formatter.</summary>
    public static RetailEvent Parse(string json)
    {
        var cloudEvent = Formatter.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(json), StructuredContentType, ExtensionAttributes);
        return new RetailEvent
        {
            Id = cloudEvent.Id!,
            Source = cloudEvent.Source!.OriginalString,
            Type = cloudEvent.Type!,
            Subject = cloudEvent.Subject ?? "",
            Time = cloudEvent.Time ?? default,
            Data = cloudEvent.Data is JsonElement data ? data.Clone() : default,
            CorrelationId = (string?)cloudEvent[CorrelationIdAttribute],
            Sequence = cloudEvent[SequenceAttribute] is int sequence ? sequence : 0,
        };
    }
}
