using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Retail.Api.Problems;
using Retail.Api.Security;
using Retail.Contracts;
using Retail.Contracts.Api;

namespace Retail.Api.Idempotency;

/// <summary>
/// The Idempotency-Key header on POST endpoints: the first request under a key executes and its answer is stored; a
/// repeat with the same method, path and body gets that answer again (status, Location and body) without executing;
/// the same key with another request is refused with 422 <c>retail.idempotency.conflict</c>. Answers of 5xx and thrown
/// errors are not stored: the key is released so that a retry executes.
/// </summary>
internal sealed class IdempotencyFilter(IIdempotencyStore store) : IEndpointFilter
{
    public const string HeaderName = "Idempotency-Key";
    public const string ReplayedHeaderName = "Idempotent-Replayed";
    private const int MaxKeyLength = 200;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[HeaderName].ToString();
        if (key.Length == 0)
        {
            return await next(context);
        }
        if (key.Length > MaxKeyLength || !key.All(c => c is > ' ' and < (char)127))
        {
            throw new RetailValidationException(new Dictionary<string, string[]>
            {
                [HeaderName] = [$"Must be 1-{MaxKeyLength} printable ASCII characters."],
            });
        }

        var client = ClientIdentity.Of(http);
        var fingerprint = Fingerprint(context);
        var claim = await store.ClaimAsync(client, key, fingerprint);
        switch (claim.Outcome)
        {
            case IdempotencyOutcome.Completed:
                return new ReplayResult(claim.Response!);
            case IdempotencyOutcome.Conflict:
                throw new RetailException(ProblemCodes.IdempotencyConflict,
                    "This Idempotency-Key was used for a request with another method, path or body. Use a new key for a new request.");
            case IdempotencyOutcome.InProgress:
                throw new RetailException(ApiProblemCodes.IdempotencyInProgress, "Retry when the first request with this Idempotency-Key has finished.");
        }

        StoredResponse response;
        var originalBody = http.Response.Body;
        try
        {
            using var buffer = new MemoryStream();
            http.Response.Body = buffer;
            var result = await next(context);
            if (result is IResult executable)
            {
                await executable.ExecuteAsync(http);
            }
            response = new StoredResponse
            {
                StatusCode = http.Response.StatusCode,
                ContentType = http.Response.ContentType,
                Location = http.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                Body = buffer.ToArray(),
            };
        }
        catch
        {
            http.Response.Body = originalBody;
            await store.ReleaseAsync(client, key, fingerprint);
            throw;
        }
        http.Response.Body = originalBody;

        if (response.StatusCode >= StatusCodes.Status500InternalServerError)
        {
            await store.ReleaseAsync(client, key, fingerprint);
        }
        else
        {
            await store.CompleteAsync(client, key, fingerprint, response);
        }
        await http.Response.Body.WriteAsync(response.Body, http.RequestAborted);
        return Results.Empty;
    }

    /// <summary>SHA-256 of the method, the path and the bound arguments as JSON (so whitespace and key order do not matter).</summary>
    private static string Fingerprint(EndpointFilterInvocationContext context)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var request = context.HttpContext.Request;
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        foreach (var argument in context.Arguments)
        {
            if (!IsRequestData(argument))
            {
                continue;
            }
            hash.AppendData(JsonSerializer.SerializeToUtf8Bytes(argument, argument!.GetType(), RetailJson.Options));
            hash.AppendData("\n"u8);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Route values and bodies take part in the fingerprint; injected services do not.</summary>
    private static bool IsRequestData(object? argument) =>
        argument is string or int or long or decimal or bool
        || argument?.GetType().Namespace?.StartsWith("Retail.", StringComparison.Ordinal) == true;

    private sealed class ReplayResult(StoredResponse response) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = response.StatusCode;
            httpContext.Response.Headers[ReplayedHeaderName] = "true";
            if (response.ContentType is { } contentType)
            {
                httpContext.Response.ContentType = contentType;
            }
            if (response.Location is { } location)
            {
                httpContext.Response.Headers.Location = location;
            }
            await httpContext.Response.Body.WriteAsync(response.Body, httpContext.RequestAborted);
        }
    }
}
