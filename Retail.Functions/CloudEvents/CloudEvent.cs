using System.Text.Json;
using Retail.Functions.Validation;
using Retail.Functions.Webhooks;

namespace Retail.Functions.CloudEvents;

/// <summary>A CloudEvents 1.0 event received over HTTP, in structured or binary content mode, with JSON data.</summary>
internal sealed record CloudEvent
{
    public const string StructuredContentType = "application/cloudevents+json";
    public const string BatchContentType = "application/cloudevents-batch+json";

    public string Id { get; init; } = "";
    public string Source { get; init; } = "";
    public string Type { get; init; } = "";
    public string? Subject { get; init; }
    public DateTimeOffset? Time { get; init; }
    public JsonElement Data { get; init; }

    /// <summary>The event, or null with the answer to give (400) when the request is not a CloudEvent with JSON data.</summary>
    public static CloudEvent? Read(WebhookRequest request, out WebhookResult? problem)
    {
        var contentType = request.Header("Content-Type") ?? "";
        if (contentType.StartsWith(BatchContentType, StringComparison.OrdinalIgnoreCase))
        {
            problem = Unsupported("Batched mode is not supported; send one event per request.");
            return null;
        }
        using var document = JsonInput.TryParse(request.Body, out var error);
        if (document is null)
        {
            problem = WebhookResult.Malformed(error!);
            return null;
        }
        return contentType.StartsWith(StructuredContentType, StringComparison.OrdinalIgnoreCase)
            ? ReadStructured(document.RootElement, out problem)
            : ReadBinary(request, contentType, document.RootElement, out problem);
    }

    private static CloudEvent? ReadStructured(JsonElement root, out WebhookResult? problem)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = WebhookResult.Malformed("A structured CloudEvent is a JSON object.");
            return null;
        }
        string? Attribute(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var dataContentType = Attribute("datacontenttype");
        if (root.TryGetProperty("data_base64", out _) || (dataContentType is not null && !IsJson(dataContentType)))
        {
            problem = Unsupported("Only JSON data is accepted (datacontenttype application/json).");
            return null;
        }
        return Build(Attribute("specversion"), Attribute("id"), Attribute("source"), Attribute("type"), Attribute("subject"), Attribute("time"),
            root.TryGetProperty("data", out var data) ? data.Clone() : default, out problem);
    }

    private static CloudEvent? ReadBinary(WebhookRequest request, string contentType, JsonElement body, out WebhookResult? problem)
    {
        if (request.Header("ce-specversion") is null)
        {
            problem = Unsupported($"Expected a structured CloudEvent ({StructuredContentType}) or binary mode ce-* headers.");
            return null;
        }
        if (!IsJson(contentType))
        {
            problem = Unsupported("Only JSON data is accepted (Content-Type application/json).");
            return null;
        }
        return Build(request.Header("ce-specversion"), request.Header("ce-id"), request.Header("ce-source"), request.Header("ce-type"),
            request.Header("ce-subject"), request.Header("ce-time"), body.Clone(), out problem);
    }

    private static CloudEvent? Build(
        string? specVersion, string? id, string? source, string? type, string? subject, string? time, JsonElement data, out WebhookResult? problem)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (specVersion != "1.0")
        {
            errors["specversion"] = ["Must be 1.0."];
        }
        if (string.IsNullOrWhiteSpace(id))
        {
            errors["id"] = ["Is required."];
        }
        if (string.IsNullOrWhiteSpace(source))
        {
            errors["source"] = ["Is required."];
        }
        if (string.IsNullOrWhiteSpace(type))
        {
            errors["type"] = ["Is required."];
        }
        DateTimeOffset? parsedTime = null;
        if (time is not null)
        {
            if (DateTimeOffset.TryParse(time, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var value))
            {
                parsedTime = value;
            }
            else
            {
                errors["time"] = ["Must be an RFC 3339 timestamp."];
            }
        }
        if (data.ValueKind != JsonValueKind.Object)
        {
            errors["data"] = ["Must be a JSON object."];
        }
        if (errors.Count > 0)
        {
            problem = WebhookResult.Invalid(errors, "The request is not a valid CloudEvent.");
            return null;
        }
        problem = null;
        return new CloudEvent { Id = id!, Source = source!, Type = type!, Subject = subject, Time = parsedTime, Data = data };
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase);
    }

    private static WebhookResult Unsupported(string detail) =>
        WebhookResult.Problem(400, WebhookProblemCodes.UnsupportedEvent, "The request is not a supported CloudEvent.", detail);
}
