using Microsoft.AspNetCore.Mvc;
using Retail.Contracts;

namespace Retail.Functions.Webhooks;

/// <summary>
/// The HTTP side of every webhook: reads the body (bounded), hands the host-agnostic handler a
/// <see cref="WebhookRequest"/>, and writes its <see cref="WebhookResult"/> (problems as RFC 9457 problem+json with
/// <c>code</c> and <c>correlationId</c>).
/// </summary>
internal static partial class WebhookEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context, Func<WebhookRequest, CancellationToken, Task<WebhookResult>> handler)
    {
        var correlationId = context.GetCorrelationId();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Retail.Functions.Webhooks");
        using var scope = Correlation.Begin(correlationId, logger);
        WebhookResult result;
        var body = await WebhookBody.ReadAsync(context.Request.Body, context.Request.ContentLength, WebhookBody.MaxBytes, context.RequestAborted);
        if (body is null)
        {
            result = WebhookResult.TooLarge(WebhookBody.MaxBytes);
        }
        else
        {
            var request = new WebhookRequest
            {
                Body = body,
                Headers = WebhookRequest.HeadersFrom(context.Request.Headers.Select(header => KeyValuePair.Create(header.Key, header.Value.ToString()))),
                CorrelationId = correlationId,
            };
            try
            {
                result = await handler(request, context.RequestAborted);
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception))
            {
                LogTransient(logger, exception, context.Request.Path);
                result = WebhookResult.Unavailable(exception.Message, TimeSpan.FromSeconds(30));
            }
            catch (Exception exception)
            {
                LogFailed(logger, exception, context.Request.Path);
                result = WebhookResult.Problem(500, ProblemCodes.Internal, "The webhook could not be processed.", "See the logs under this correlation id.");
            }
        }
        return ToHttp(result, correlationId, context);
    }

    public static IResult ToHttp(WebhookResult result, string correlationId, HttpContext context)
    {
        foreach (var (name, value) in result.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
        if (result.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (result.IsSuccess)
        {
            return Results.Json(new WebhookAnswer(result.Status, result.Outcome, result.OrderId, correlationId), statusCode: result.StatusCode);
        }
        var problem = new ProblemDetails
        {
            Status = result.StatusCode,
            Title = result.Title,
            Detail = result.Detail,
            Instance = context.Request.Path,
        };
        problem.Extensions["code"] = result.Code;
        problem.Extensions["correlationId"] = correlationId;
        if (result.Errors is { Count: > 0 } errors)
        {
            problem.Extensions["errors"] = errors;
        }
        return Results.Problem(problem);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Path} failed transiently; answering 503")]
    private static partial void LogTransient(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path);
}

/// <summary>The body of a 2xx webhook answer.</summary>
internal sealed record WebhookAnswer(string Status, string? Outcome, string? OrderId, string CorrelationId);
