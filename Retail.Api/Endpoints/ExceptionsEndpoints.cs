using Microsoft.AspNetCore.Http.HttpResults;
using Retail.Api.Idempotency;
using Retail.Api.Operations;
using Retail.Api.Paging;
using Retail.Api.Security;
using Retail.Contracts;
using Retail.Contracts.Exceptions;

namespace Retail.Api.Endpoints;

/// <summary>The exception queue: every hold or failure a person can see, retry or resolve.</summary>
public static class ExceptionsEndpoints
{
    private const int GroupPageSize = 500;

    public static IEndpointRouteBuilder MapExceptionsEndpoints(this IEndpointRouteBuilder api)
    {
        var exceptions = api.MapGroup("/exceptions").WithTags("Exceptions");
        exceptions.MapGet("/", ListAsync).WithName("ListExceptions").RequireAuthorization(Scopes.OpsOrOrdersRead)
            .WithSummary("Exception records, oldest first; status open (default), resolved or all; optional kind and root (one cause)")
            .ProducesValidationProblem();
        exceptions.MapGet("/groups", ListGroupsAsync).WithName("ListExceptionGroups").RequireAuthorization(Scopes.OpsOrOrdersRead)
            .WithSummary("Open exception records grouped by cause (kind and business root), with count, oldest and newest");
        exceptions.MapPost("/groups/retry", RetryGroupAsync).WithName("RetryExceptionGroup").RequireAuthorization(Scopes.Ops).WithIdempotency()
            .WithSummary("Re-runs the held step of every open record of a cause, oldest first")
            .ProducesValidationProblem();
        exceptions.MapPost("/groups/resolve", ResolveGroupAsync).WithName("ResolveExceptionGroup").RequireAuthorization(Scopes.Ops).WithIdempotency()
            .WithSummary("Resolves every open record of a cause, oldest first, with what was done about it")
            .ProducesValidationProblem();
        exceptions.MapPost("/{id}/retry", RetryAsync).WithName("RetryException").RequireAuthorization(Scopes.Ops).WithIdempotency()
            .WithSummary("Re-runs the held step (or re-submits the dead-lettered message) and counts an attempt")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        exceptions.MapPost("/{id}/resolve", ResolveAsync).WithName("ResolveException").RequireAuthorization(Scopes.Ops).WithIdempotency()
            .WithSummary("Closes the record with what was done about it")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    internal static async Task<Ok<ExceptionList>> ListAsync(
        string? status, string? kind, string? root, int? limit, string? cursor, IExceptionProjection listing, CancellationToken cancellationToken)
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
        if (root is { Length: > 300 })
        {
            validation.Add(nameof(root), "Must be at most 300 characters.");
        }
        var pageSize = validation.Limit(limit);
        var filters = $"exceptions|{statusFilter}|{kind}|{root}";
        var after = validation.Cursor(cursor, filters);
        validation.ThrowIfInvalid();

        var records = await listing.ListAsync(new ExceptionQuery { Status = statusFilter, Kind = kind, Root = root, After = after, Limit = pageSize + 1 }, cancellationToken);
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

    internal static async Task<Ok<ExceptionGroupList>> ListGroupsAsync(IExceptionProjection listing, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var groups = await listing.GroupsAsync(cancellationToken);
        return TypedResults.Ok(new ExceptionGroupList([.. groups.Select(g => new ExceptionGroupView(
            g.Kind, g.Root, g.Count, g.OldestCreatedAt, Math.Max(0, (now - g.OldestCreatedAt).TotalSeconds), g.NewestCreatedAt))]));
    }

    internal static Task<Ok<ExceptionGroupResult>> RetryGroupAsync(
        ExceptionGroupRequest request, IExceptionProjection listing, IClusterClient cluster, CancellationToken cancellationToken) =>
        ActOnGroupAsync(request, requireResolution: false, listing, record => GrainOf(record.Id, cluster).RetryAsync(record.Id), cancellationToken);

    internal static Task<Ok<ExceptionGroupResult>> ResolveGroupAsync(
        ExceptionGroupRequest request, IExceptionProjection listing, IClusterClient cluster, CancellationToken cancellationToken) =>
        ActOnGroupAsync(request, requireResolution: true, listing,
            record => GrainOf(record.Id, cluster).ResolveAsync(record.Id, request.Resolution!), cancellationToken);

    /// <summary>
    /// Runs the action on every open record of the group, one at a time and oldest first, so that a retry re-runs the
    /// steps in the order they failed; a record the action refuses is reported and the others carry on.
    /// </summary>
    private static async Task<Ok<ExceptionGroupResult>> ActOnGroupAsync(
        ExceptionGroupRequest request, bool requireResolution, IExceptionProjection listing,
        Func<ExceptionRecord, Task<ExceptionRecord>> act, CancellationToken cancellationToken)
    {
        var validation = new QueryValidation();
        if (request.Kind is null || request.Kind.Length is 0 or > 100 || !request.Kind.All(char.IsAsciiLetterOrDigit))
        {
            validation.Add("kind", "Must be an exception kind such as Backordered or DeadLetter.");
        }
        if (request.Root is null || request.Root.Length > 300)
        {
            validation.Add("root", "Is required (empty for a kind without one) and at most 300 characters.");
        }
        if (requireResolution)
        {
            Validation.Text(validation, "resolution", request.Resolution);
        }
        validation.ThrowIfInvalid();

        var records = await listing.ListAllAsync(
            new ExceptionQuery { Status = ExceptionStatus.Open, Kind = request.Kind, Root = request.Root }, GroupPageSize, cancellationToken);
        var done = new List<ExceptionRecord>();
        var failed = new List<ExceptionGroupFailure>();
        foreach (var record in records)
        {
            try
            {
                done.Add(await act(record));
            }
            catch (RetailException refused)
            {
                failed.Add(new ExceptionGroupFailure(record.Id, refused.Code, refused.Message));
            }
        }
        return TypedResults.Ok(new ExceptionGroupResult(request.Kind!, request.Root!, done, failed));
    }

    private static RetailException NotFound(string id) => new(ProblemCodes.ExceptionNotFound, $"No exception record has the id '{id}'.");
}
