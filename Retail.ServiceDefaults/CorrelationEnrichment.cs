using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Puts <c>retail.correlation_id</c> on every span: the flow's id from the Orleans RequestContext (grain calls and
/// everything under them), or else the parent span's, when the span does not carry one already.
/// </summary>
internal sealed class CorrelationActivityProcessor : BaseProcessor<Activity>
{
    public override void OnStart(Activity data) => Tag(data);

    public override void OnEnd(Activity data) => Tag(data);

    private static void Tag(Activity activity)
    {
        if (activity.GetTagItem(Correlation.TagName) is not null)
        {
            return;
        }
        if ((Correlation.Current ?? activity.Parent?.GetTagItem(Correlation.TagName) as string) is { } correlationId)
        {
            activity.SetTag(Correlation.TagName, correlationId);
        }
    }
}
