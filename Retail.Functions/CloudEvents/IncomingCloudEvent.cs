using System.Net.Mime;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Retail.Functions.Validation;
using Retail.Functions.Webhooks;

namespace Retail.Functions.CloudEvents;

/// <summary>
/// Reads a CloudEvent received over HTTP with the CNCF CloudEvents SDK: structured mode (<c>application/cloudevents+json</c>)
/// through its JSON formatter, binary mode (<c>ce-*</c> headers, the body is the data) as its HTTP binding defines.
/// Extension attributes are kept. Only JSON object data is accepted.
/// </summary>
internal static class IncomingCloudEvent
{
    public const string StructuredContentType = "application/cloudevents+json";
    public const string BatchContentType = "application/cloudevents-batch+json";
    private const string HeaderPrefix = "ce-";

    private static readonly JsonEventFormatter Formatter = new();

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
        var root = document.RootElement;
        var structured = contentType.StartsWith(StructuredContentType, StringComparison.OrdinalIgnoreCase);
        if (structured && root.ValueKind != JsonValueKind.Object)
        {
            problem = WebhookResult.Malformed("A structured CloudEvent is a JSON object.");
            return null;
        }
        if (!structured && request.Header(HeaderPrefix + "specversion") is null)
        {
            problem = Unsupported($"Expected a structured CloudEvent ({StructuredContentType}) or binary mode ce-* headers.");
            return null;
        }
        var dataContentType = structured
            ? root.TryGetProperty("datacontenttype", out var declared) && declared.ValueKind == JsonValueKind.String ? declared.GetString() : null
            : contentType;
        if ((structured && root.TryGetProperty("data_base64", out _)) || (dataContentType is not null && !IsJson(dataContentType)))
        {
            problem = Unsupported("Only JSON data is accepted (datacontenttype application/json).");
            return null;
        }
        CloudEvent cloudEvent;
        try
        {
            cloudEvent = structured ? Formatter.ConvertFromJsonElement(root, null) : FromBinary(request, contentType);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or FormatException)
        {
            problem = WebhookResult.Invalid(ErrorsOf(exception, structured ? root : null, request), "The request is not a valid CloudEvent.");
            return null;
        }
        if (cloudEvent.Data is not JsonElement { ValueKind: JsonValueKind.Object } data)
        {
            problem = WebhookResult.Invalid(new Dictionary<string, string[]> { ["data"] = ["Must be a JSON object."] }, "The request is not a valid CloudEvent.");
            return null;
        }
        // The data outlives the parsed request body.
        cloudEvent.Data = data.Clone();
        problem = null;
        return cloudEvent;
    }

    /// <summary>
    /// Binary content mode of the HTTP protocol binding: every <c>ce-{name}</c> header is the attribute <c>{name}</c>
    /// (percent-encoded), extension attributes included; Content-Type is <c>datacontenttype</c>; the body is the data.
    /// </summary>
    private static CloudEvent FromBinary(WebhookRequest request, string contentType)
    {
        var version = CloudEventsSpecVersion.FromVersionId(request.Header(HeaderPrefix + "specversion"))
            ?? throw new ArgumentException("Unknown CloudEvents specversion.");
        var cloudEvent = new CloudEvent(version);
        foreach (var (name, value) in request.Headers)
        {
            if (name.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(HeaderPrefix + "specversion", StringComparison.OrdinalIgnoreCase))
            {
                cloudEvent.SetAttributeFromString(name[HeaderPrefix.Length..].ToLowerInvariant(), Uri.UnescapeDataString(value));
            }
        }
        cloudEvent.DataContentType = new ContentType(contentType).MediaType;
        Formatter.DecodeBinaryModeEventData(request.Body, cloudEvent);
        return cloudEvent.Validate();
    }

    /// <summary>The attributes the SDK found missing or invalid, by name, as the webhook's 400 answer lists them.</summary>
    private static Dictionary<string, string[]> ErrorsOf(Exception exception, JsonElement? structured, WebhookRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? Attribute(string name) => structured is { } root
            ? root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null
            : request.Header(HeaderPrefix + name);
        var specVersion = CloudEventsSpecVersion.V1_0;
        if (Attribute(CloudEventsSpecVersion.SpecVersionAttribute.Name) != specVersion.VersionId)
        {
            errors[CloudEventsSpecVersion.SpecVersionAttribute.Name] = [$"Must be {specVersion.VersionId}."];
        }
        foreach (var attribute in specVersion.RequiredAttributes)
        {
            if (string.IsNullOrEmpty(Attribute(attribute.Name)))
            {
                errors[attribute.Name] = ["Is required."];
            }
        }
        if (errors.Count == 0)
        {
            var name = exception is ArgumentException { ParamName: { Length: > 0 } parameter }
                && specVersion.AllAttributes.Any(attribute => attribute.Name == parameter) ? parameter : "event";
            errors[name] = [exception.Message];
        }
        return errors;
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
