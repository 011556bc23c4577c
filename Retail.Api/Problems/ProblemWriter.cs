using Microsoft.AspNetCore.Mvc;
using Retail.Contracts;

namespace Retail.Api.Problems;

/// <summary>
/// Writes every error of the API as RFC 9457 problem+json with its stable <c>code</c> and the request's
/// <c>correlationId</c>: the exception handler, authentication, rate limiting and the body size limit all answer
/// through here.
/// </summary>
internal static class ProblemWriter
{
    public const string CodeKey = "code";
    public const string CorrelationIdKey = "correlationId";

    public static ProblemDetails Create(int status, string code, string title, string? detail = null, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        problem.Extensions[CodeKey] = code;
        return problem;
    }

    public static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (!await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
        }
    }

    /// <summary>Adds what every problem carries; runs for problems written by ASP.NET Core itself too (status code pages).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Extensions[CorrelationIdKey] = context.HttpContext.GetCorrelationId();
        problem.Instance ??= context.HttpContext.Request.Path;
        if (!problem.Extensions.ContainsKey(CodeKey))
        {
            problem.Extensions[CodeKey] = CodeFor(problem.Status ?? context.HttpContext.Response.StatusCode);
        }
        problem.Extensions.Remove("traceId");
        problem.Extensions.Remove("requestId");
        problem.Extensions.Remove("exception");
    }

    private static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ProblemCodes.MalformedJson,
        StatusCodes.Status401Unauthorized => ProblemCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ProblemCodes.Forbidden,
        StatusCodes.Status404NotFound => ApiProblemCodes.RouteNotFound,
        StatusCodes.Status405MethodNotAllowed => ApiProblemCodes.MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => ProblemCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ApiProblemCodes.UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => ProblemCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ApiProblemCodes.Unavailable,
        _ => ProblemCodes.Internal,
    };
}
