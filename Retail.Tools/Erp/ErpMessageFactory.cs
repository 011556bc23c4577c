using System.Text;
using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Messaging;

namespace Retail.Tools.Erp;

/// <summary>Builds ERP messages in the envelope CONTRACTS.md section 5 describes.</summary>
internal static class ErpMessageFactory
{
    public static TransportMessage Create(string messageType, string sessionId, object body, string? correlationId = null) =>
        Create(messageType, sessionId, JsonSerializer.Serialize(body, body.GetType(), RetailJson.Options), correlationId);

    public static TransportMessage Create(string messageType, string sessionId, string body, string? correlationId = null)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { [MessageProperties.MessageType] = messageType };
        if (correlationId is not null)
        {
            properties[MessageProperties.CorrelationId] = correlationId;
        }
        return new TransportMessage
        {
            MessageId = Guid.NewGuid().ToString("N"),
            CorrelationId = correlationId,
            SessionId = sessionId,
            Subject = messageType,
            ApplicationProperties = properties,
            Body = Encoding.UTF8.GetBytes(body),
        };
    }

    /// <summary>The session an inbound message belongs to: its order, or its stock position.</summary>
    public static string SessionFor(string messageType, JsonElement body) => messageType switch
    {
        ErpMessageTypes.InventorySnapshot => body.GetProperty("locationId").GetString() ?? "",
        ErpMessageTypes.InventoryAdjusted => $"{body.GetProperty("sku").GetString()}@{body.GetProperty("locationId").GetString()}",
        _ => body.GetProperty("orderId").GetString() ?? "",
    };
}
