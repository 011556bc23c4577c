using Microsoft.AspNetCore.Http.HttpResults;
using Retail.Api.Idempotency;
using Retail.Api.Paging;
using Retail.Api.Security;
using Retail.Contracts;
using Retail.Contracts.Exceptions;

namespace Retail.Api.Endpoints;

/// <summary>The exception queue: every hold or failure a person can see, retry or resolve.</summary>
public static class ExceptionsEndpoints
{
    public static IEndpointRouteBuilder MapExceptionsEndpoints(this IEndpointRouteBuilder api)
    {
        var exceptions = api.MapGroup("/exceptions").WithTags("Exceptions");
        exceptions.MapGet("/", ListAsync).WithName("ListExceptions").RequireAuthorization(Scopes.OpsOrOrdersRead)
            .WithSummary("Exception records, oldest first; status open (default), resolved or all; optional kind")
            .ProducesValidationProblem();
        exceptions.MapPost("/{id}/retry", RetryAsync).WithName("RetryException").RequireAuthorization(Scopes.Ops).WithIdempotency()
            .WithSummary("Re-runs the held step (or re-submits the dead-lettered message) and counts an attempt")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        exceptions.MapPost("/{id}/resolve", ResolveAsync).WithName("ResolveException").RequireAuthorization(Scopes.Ops).WithIdempotency()
            .WithSummary("Closes the record with what was done about it")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    internal static async Task<Ok<ExceptionList>> ListAsync(string? status, string? kind, int? limit, string? cursor, IExceptionProjection listing, CancellationToken cancellationToken)
    {
        var validation = new QueryValidation();
        ExceptionStatus? statusFilter = ExceptionStatus.Open;
        switch (status?.ToUpperInvariant())
        {
            case null or "OPEN":
                break;
            case "RESOLVED":
                statusFilter = ExceptionStatus.Resolved;
                break;
            case "ALL":
                statusFilter = null;
                break;
            default:
                validation.Add(nameof(status), "Must be open, resolved or all.");
                break;
        }
        if (kind is not null && (kind.Length > 100 || !kind.All(char.IsAsciiLetterOrDigit)))
        {
            validation.Add(nameof(kind), "Must be an exception kind such as PaymentTimeout or DeadLetter.");
        }
        var pageSize = validation.Limit(limit);
        var filters = $"exceptions|{statusFilter}|{kind}";
        var after = validation.Cursor(cursor, filters);
        validation.ThrowIfInvalid();

        var records = await listing.ListAsync(new ExceptionQuery { Status = statusFilter, Kind = kind, After = after, Limit = pageSize + 1 }, cancellationToken);
        var items = records.Take(pageSize).ToList();
        var next = records.Count > pageSize ? PageCursor.Encode(items[^1].Id, filters) : null;
        return TypedResults.Ok(new ExceptionList(items, next));
    }

    internal static async Task<Ok<ExceptionRecord>> RetryAsync(string id, IClusterClient cluster)
    {
        new QueryValidation().Id(nameof(id), id).ThrowIfInvalid();
        var grain = GrainOf(id, cluster);
        _ = await grain.GetAsync(id) ?? throw NotFound(id);
        return TypedResults.Ok(await grain.RetryAsync(id));
    }

    internal static async Task<Ok<ExceptionRecord>> ResolveAsync(string id, ResolveExceptionRequest request, IClusterClient cluster)
    {
        var validation = new QueryValidation().Id(nameof(id), id);
        Validation.Text(validation, "resolution", request.Resolution);
        validation.ThrowIfInvalid();

        var grain = GrainOf(id, cluster);
        _ = await grain.GetAsync(id) ?? throw NotFound(id);
        return TypedResults.Ok(await grain.ResolveAsync(id, request.Resolution!));
    }

    /// <summary>The exception grain of a record: its id names it (<see cref="ExceptionKey.OfRecord"/>).</summary>
    private static IExceptionGrain GrainOf(string id, IClusterClient cluster) =>
        cluster.GetGrain<IExceptionGrain>(ExceptionKey.OfRecord(id) ?? throw NotFound(id));

    private static RetailException NotFound(string id) => new(ProblemCodes.ExceptionNotFound, $"No exception record has the id '{id}'.");
}
