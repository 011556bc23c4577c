using System.Text.RegularExpressions;
using OpenTelemetry;
using OpenTelemetry.Logs;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Runs before every log exporter: adds the flow's <c>CorrelationId</c> to a record that has none in its scopes or
/// attributes (a grain's log line carries the id in the Orleans RequestContext, not in a logger scope), and replaces
/// anything shaped like an email address in the message and the attributes with <see cref="Redacted"/>: customer
/// contact data never leaves the process in a log, whatever a message template was given.
/// </summary>
internal sealed partial class LogRecordProcessor : BaseProcessor<LogRecord>
{
    public const string CorrelationIdName = "CorrelationId";
    public const string Redacted = "[redacted]";

    public override void OnEnd(LogRecord data)
    {
        if (data.FormattedMessage is { } message)
        {
            data.FormattedMessage = Redact(message);
        }
        var attributes = data.Attributes is null ? [] : data.Attributes.Select(RedactAttribute).ToList();
        if (!HasCorrelationId(data, attributes) && Correlation.Current is { } correlationId)
        {
            attributes.Add(new KeyValuePair<string, object?>(CorrelationIdName, correlationId));
        }
        data.Attributes = attributes;
    }

    /// <summary><paramref name="text"/> with every email-shaped part replaced.</summary>
    public static string Redact(string text) => EmailPattern().Replace(text, Redacted);

    private static KeyValuePair<string, object?> RedactAttribute(KeyValuePair<string, object?> attribute) =>
        attribute.Value is string text ? new(attribute.Key, Redact(text)) : attribute;

    private static bool HasCorrelationId(LogRecord record, List<KeyValuePair<string, object?>> attributes)
    {
        if (attributes.Any(a => a.Key == CorrelationIdName))
        {
            return true;
        }
        var found = false;
        record.ForEachScope((scope, _) =>
        {
            foreach (var item in scope)
            {
                found |= item.Key == CorrelationIdName;
            }
        }, (object?)null);
        return found;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
