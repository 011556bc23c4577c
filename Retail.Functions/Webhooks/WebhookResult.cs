using Retail.Contracts;

namespace Retail.Functions.Webhooks;

/// <summary>
/// What a webhook handler answers: a success (processed, duplicate, ignored...) or a problem with a stable code.
/// Only a success with <see cref="Final"/> marks the delivery as processed in the dedupe record.
/// </summary>
internal sealed record WebhookResult
{
    public int StatusCode { get; init; } = 200;
    /// <summary>For successes: processed, duplicate, ignored, no-op, rejected, unknown-order.</summary>
    public string Status { get; init; } = WebhookStatuses.Processed;
    public string? Code { get; init; }
    public string Title { get; init; } = "";
    public string? Detail { get; init; }
    /// <summary>What was done, in words (successes) — kept in the dedupe record to answer duplicates.</summary>
    public string? Outcome { get; init; }
    public string? OrderId { get; init; }
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
    public TimeSpan? RetryAfter { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
    /// <summary>False for a success that must not be recorded as processed (a redelivery must run again).</summary>
    public bool Final { get; init; } = true;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public static WebhookResult Processed(string outcome, string? orderId = null) =>
        new() { Status = WebhookStatuses.Processed, Outcome = outcome, OrderId = orderId };

    public static WebhookResult Ignored(string outcome) => new() { Status = WebhookStatuses.Ignored, Outcome = outcome };

    /// <summary>A delivery processed before: answered with the first delivery's outcome and order.</summary>
    public static WebhookResult Duplicate(string? earlierOutcome, string? earlierOrderId) =>
        new() { Status = WebhookStatuses.Duplicate, Outcome = earlierOutcome ?? "Already processed.", OrderId = earlierOrderId };

    public static WebhookResult Problem(int statusCode, string code, string title, string? detail = null) =>
        new() { StatusCode = statusCode, Code = code, Title = title, Detail = detail, Final = false };

    public static WebhookResult SignatureInvalid(string detail) =>
        Problem(401, ProblemCodes.WebhookSignatureInvalid, "The webhook signature is missing or invalid.", detail);

    public static WebhookResult Malformed(string detail) =>
        Problem(400, ProblemCodes.MalformedJson, "The request body is not valid JSON of the expected shape.", detail);

    public static WebhookResult Invalid(IReadOnlyDictionary<string, string[]> errors, string? detail = null) =>
        Problem(400, ProblemCodes.ValidationFailed, "One or more fields are invalid.", detail) with { Errors = errors };

    public static WebhookResult TooLarge(long limit) =>
        Problem(413, ProblemCodes.PayloadTooLarge, "The request body is too large.", $"At most {limit} bytes are accepted.");

    public static WebhookResult Unavailable(string detail, TimeSpan retryAfter) =>
        Problem(503, WebhookProblemCodes.Unavailable, "A dependency is briefly unavailable; retry later.", detail) with { RetryAfter = retryAfter };
}

public static class WebhookStatuses
{
    public const string Processed = "processed";
    public const string Duplicate = "duplicate";
    public const string Ignored = "ignored";
    /// <summary>Valid, but there was nothing to do (e.g. a cancellation of an order with nothing left to cancel).</summary>
    public const string NoOp = "no-op";
    /// <summary>Valid, but the order's state refused it; an exception record was raised.</summary>
    public const string Rejected = "rejected";
    /// <summary>The order is unknown and the retry period is over; an exception record stays open.</summary>
    public const string UnknownOrder = "unknown-order";
}

/// <summary>Problem codes of the webhooks besides those in <see cref="ProblemCodes"/>.</summary>
public static class WebhookProblemCodes
{
    /// <summary>A transient failure (cluster unavailable, timeout): the sender should retry.</summary>
    public const string Unavailable = "retail.unavailable";
    /// <summary>Another delivery of the same event is being processed right now: retry later.</summary>
    public const string InProgress = "retail.webhook.in-progress";
    /// <summary>The CloudEvents request is not a CloudEvent of a supported mode or type.</summary>
    public const string UnsupportedEvent = "retail.webhook.unsupported-event";
    /// <summary>No source with this name is configured (CloudEvents handshake).</summary>
    public const string UnknownSource = "retail.webhook.unknown-source";
}
