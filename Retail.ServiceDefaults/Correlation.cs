using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Retail.Contracts;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The business correlation id of a flow: taken from <c>X-Correlation-Id</c> (or made), echoed on the response,
/// put on the current trace, on every log line of the request (as a scope) and on every grain call it makes
/// (Orleans RequestContext).
/// </summary>
public static partial class Correlation
{
    public const string HeaderName = "X-Correlation-Id";
    public const string TagName = "retail.correlation_id";
    private const int MaxLength = 128;

    /// <summary>The correlation id of the flow running now, if any.</summary>
    public static string? Current => RequestContext.Get(RetailRequestContext.CorrelationIdKey) as string;

    /// <summary>Makes <paramref name="correlationId"/> the current one for grain calls, the trace and the logs.</summary>
    public static IDisposable? Begin(string correlationId, ILogger logger)
    {
        RequestContext.Set(RetailRequestContext.CorrelationIdKey, correlationId);
        Activity.Current?.SetTag(TagName, correlationId);
        return logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId });
    }

    /// <summary>A usable id from a caller: printable ASCII, bounded; otherwise null.</summary>
    public static string? Sanitize(string? candidate) =>
        candidate is { Length: > 0 and <= MaxLength } && candidate.All(c => c is > ' ' and < (char)127) ? candidate : null;

    public static string NewId() => Guid.NewGuid().ToString("N");

    internal static IServiceCollection AddCorrelation(this IServiceCollection services) => services;

    internal static IApplicationBuilder UseCorrelation(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var correlationId = Accept(context);
            var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Retail.Correlation");
            using (Begin(correlationId, logger))
            {
                await next(context);
            }
        });

    /// <summary>
    /// Takes the request's <c>X-Correlation-Id</c> (or makes one) as this request's id and echoes it on the response;
    /// for hosts whose request pipeline is not the middleware above (the Functions worker).
    /// </summary>
    public static string Accept(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var correlationId = Sanitize(context.Request.Headers[HeaderName].ToString()) ?? NewId();
        context.Items[HeaderName] = correlationId;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = correlationId;
            return Task.CompletedTask;
        });
        return correlationId;
    }

    /// <summary>The correlation id of this HTTP request.</summary>
    public static string GetCorrelationId(this HttpContext context) =>
        context.Items.TryGetValue(HeaderName, out var value) && value is string id ? id : Current ?? NewId();
}
