namespace Retail.Api.Problems;

/// <summary>Problem codes that only the HTTP surface produces (the domain's are in <see cref="Retail.Contracts.ProblemCodes"/>).</summary>
public static class ApiProblemCodes
{
    /// <summary>The same Idempotency-Key is executing a request right now; retry after it finished.</summary>
    public const string IdempotencyInProgress = "retail.idempotency.in-progress";
    /// <summary>The cluster did not answer in time or is unreachable; retry after Retry-After seconds.</summary>
    public const string Unavailable = "retail.unavailable";
    public const string RouteNotFound = "retail.route.not-found";
    /// <summary>No published JSON Schema has the requested name.</summary>
    public const string SchemaNotFound = "retail.schema.not-found";
    public const string MethodNotAllowed = "retail.route.method-not-allowed";
    public const string UnsupportedMediaType = "retail.request.unsupported-media-type";
}
