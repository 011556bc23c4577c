namespace Retail.Api.Idempotency;

/// <summary>Marks an endpoint that honours the Idempotency-Key header (the OpenAPI document lists the header for it).</summary>
public sealed class IdempotentEndpointMetadata;

public static class IdempotencyEndpointExtensions
{
    /// <summary>Stores the first answer under the request's Idempotency-Key and replays it for repeats.</summary>
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddEndpointFilter<IdempotencyFilter>()
            .WithMetadata(new IdempotentEndpointMetadata())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
    }
}
