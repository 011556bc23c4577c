using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Retail.Api.Operations;
using Retail.Api.Security;
using Retail.Contracts.Outbox;

namespace Retail.Api.Endpoints;

/// <summary>The business KPIs of the operations dashboard.</summary>
public static class KpisEndpoints
{
    public static IEndpointRouteBuilder MapKpisEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGroup("/kpis").WithTags("Operations")
            .MapGet("/", GetAsync).WithName("GetKpis").RequireAuthorization(Scopes.OpsOrOrdersRead)
            .WithSummary("Orders today by channel and status, fallout, open exceptions, latencies, variance, refund backlog and outbox backlog per destination");
        return api;
    }

    internal static async Task<Ok<KpiReport>> GetAsync(
        IOperationsReadModel readModel, IGrainFactory grains, IOptions<KpiOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var today = KpiCalculator.StartOfDay(now);
        var inputs = await readModel.ReadKpiInputsAsync(today.AddDays(1 - options.Value.LookbackDays), today, cancellationToken);
        var backlog = await grains.GetGrain<IOutboxBacklogGrain>(IOutboxBacklogGrain.Key).GetAsync();
        return TypedResults.Ok(KpiCalculator.Compute(inputs, now) with { OutboxBacklog = backlog });
    }
}

/// <summary><c>Kpis:LookbackDays</c>: orders received this many days back (today included) feed latencies and the refund backlog.</summary>
public sealed class KpiOptions
{
    public int LookbackDays { get; set; } = 7;
}
