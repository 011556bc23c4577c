using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Orleans.Runtime.Messaging;
using Retail.Contracts;

namespace Retail.Api.Problems;

/// <summary>
/// The one place where exceptions become answers: domain exceptions keep their code, request binding failures become
/// 400/413/415, an unreachable or slow cluster becomes 503 with Retry-After, and anything else becomes 500
/// <c>retail.internal</c> without a word about the exception.
/// </summary>
internal sealed partial class RetailExceptionHandler(ILogger<RetailExceptionHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 5;

    /// <summary>A request answered 503 may still have been stored: the retry must be one the API recognises as a repeat.</summary>
    public static readonly string UnavailableDetail =
        $"Retry after {RetryAfterSeconds} seconds with the same request: the same channel and channelOrderId for POST /orders, " +
        "and the same Idempotency-Key for any POST. The request may have been stored before this answer; a repeat of a stored " +
        "order answers 200 with the same order instead of taking it in twice.";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            return true;
        }

        var problem = Map(exception);
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogUnavailable(logger, exception.GetType().Name);
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }
        else if (problem.Status == StatusCodes.Status500InternalServerError)
        {
            LogUnhandled(logger, exception);
        }
        await ProblemWriter.WriteAsync(httpContext, problem);
        return true;
    }

    /// <summary>The problem an exception is answered with.</summary>
    public static ProblemDetails Map(Exception exception) => exception switch
    {
        RetailValidationException validation =>
            ProblemWriter.Create(StatusCodes.Status400BadRequest, validation.Code, "One or more fields are invalid.", errors: validation.Errors),
        RetailException retail => ProblemWriter.Create(StatusFor(retail.Code), retail.Code, TitleFor(retail.Code), retail.Message),
        BadHttpRequestException badRequest => MapBadRequest(badRequest),
        TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException
            or GatewayTooBusyException or ClientNotAvailableException =>
            ProblemWriter.Create(StatusCodes.Status503ServiceUnavailable, ApiProblemCodes.Unavailable, "The service is briefly unavailable.",
                UnavailableDetail),
        _ => ProblemWriter.Create(StatusCodes.Status500InternalServerError, ProblemCodes.Internal, "An unexpected error occurred.",
            "The error was logged under the correlation id of this request."),
    };

    public static int StatusFor(string code) => code switch
    {
        ProblemCodes.ValidationFailed or ProblemCodes.MalformedJson => StatusCodes.Status400BadRequest,
        ProblemCodes.OrderNotFound or ProblemCodes.InventoryNotFound or ProblemCodes.ExceptionNotFound or ApiProblemCodes.SchemaNotFound
            or ProblemCodes.TransferNotFound or ProblemCodes.PurchaseOrderNotFound
            => StatusCodes.Status404NotFound,
        ProblemCodes.InvalidTransition or ProblemCodes.InsufficientInventory or ApiProblemCodes.IdempotencyInProgress => StatusCodes.Status409Conflict,
        ProblemCodes.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ProblemCodes.Unauthorized => StatusCodes.Status401Unauthorized,
        ProblemCodes.Forbidden => StatusCodes.Status403Forbidden,
        ProblemCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    private static string TitleFor(string code) => code switch
    {
        ProblemCodes.OrderNotFound => "The order does not exist.",
        ProblemCodes.InventoryNotFound => "The stock position does not exist.",
        ProblemCodes.ExceptionNotFound => "The exception record does not exist.",
        ProblemCodes.TransferNotFound => "The transfer does not exist.",
        ProblemCodes.PurchaseOrderNotFound => "The purchase order does not exist.",
        ProblemCodes.LocationNotFound => "A location is not registered.",
        ProblemCodes.SupplyConflict => "The supply document contradicts what is known of it.",
        ApiProblemCodes.SchemaNotFound => "The schema does not exist.",
        ProblemCodes.InvalidTransition => "The order's state does not allow this operation.",
        ProblemCodes.InsufficientInventory => "Not enough stock is available.",
        ProblemCodes.IdempotencyConflict => "The Idempotency-Key was already used for a different request.",
        ApiProblemCodes.IdempotencyInProgress => "A request with this Idempotency-Key is still executing.",
        _ => "The request was refused.",
    };

    private static ProblemDetails MapBadRequest(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ProblemWriter.Create(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "The request body is too large.");
        }
        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ProblemWriter.Create(StatusCodes.Status415UnsupportedMediaType, ApiProblemCodes.UnsupportedMediaType,
                "The request body must be application/json.");
        }
        if (exception.InnerException is JsonException json)
        {
            var field = FieldOf(json.Path);
            return ProblemWriter.Create(StatusCodes.Status400BadRequest, ProblemCodes.MalformedJson, "The request body is not valid JSON for this operation.",
                errors: new Dictionary<string, string[]> { [field] = [json.Path is null or "$" ? "Is not valid JSON." : "Has a value of the wrong type or format."] });
        }
        if (BindFailure().Match(exception.Message) is { Success: true } bind)
        {
            return ProblemWriter.Create(StatusCodes.Status400BadRequest, ProblemCodes.ValidationFailed, "One or more fields are invalid.",
                errors: new Dictionary<string, string[]> { [bind.Groups["name"].Value] = ["Has a value of the wrong type or format."] });
        }
        if (MissingParameter().Match(exception.Message) is { Success: true } missing)
        {
            var name = missing.Groups["name"].Value;
            return name is "body" or "request" or "order"
                ? ProblemWriter.Create(StatusCodes.Status400BadRequest, ProblemCodes.MalformedJson, "The request body is missing.",
                    errors: new Dictionary<string, string[]> { ["$"] = ["Is required."] })
                : ProblemWriter.Create(StatusCodes.Status400BadRequest, ProblemCodes.ValidationFailed, "One or more fields are invalid.",
                    errors: new Dictionary<string, string[]> { [name] = ["Is required."] });
        }
        return ProblemWriter.Create(StatusCodes.Status400BadRequest, ProblemCodes.MalformedJson, "The request could not be read.");
    }

    /// <summary><c>$.lines[0].quantity</c> becomes <c>lines[0].quantity</c>, the form the validator's field names take.</summary>
    private static string FieldOf(string? path) =>
        path is null or "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    [GeneratedRegex("^Failed to bind parameter \"[^\"]* (?<name>[A-Za-z0-9_]+)\" from")]
    private static partial Regex BindFailure();

    [GeneratedRegex("^Required parameter \"[^\"]* (?<name>[A-Za-z0-9_]+)\" was not provided")]
    private static partial Regex MissingParameter();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Orleans cluster is unavailable ({ExceptionType}); answered 503.")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception; answered 500 retail.internal.")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
