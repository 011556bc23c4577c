using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;

namespace Retail.Api.Operations;

/// <summary>The read model over the in-memory order directory grain and the listings of the process (<see cref="InMemoryListings"/>).</summary>
internal sealed class GrainOperationsReadModel(IClusterClient cluster, InMemoryListings listings) : IOperationsReadModel
{
    private const int PageSize = 500;

    public Task<OrderPage> ListOrdersAsync(OrderListQuery query, CancellationToken cancellationToken) =>
        cluster.GetGrain<IOrderDirectoryGrain>(IOrderDirectoryGrain.Key).ListAsync(query);

    public async Task<KpiInputs> ReadKpiInputsAsync(DateTimeOffset since, DateTimeOffset startOfToday, CancellationToken cancellationToken)
    {
        var orders = await cluster.GetGrain<IOrderDirectoryGrain>(IOrderDirectoryGrain.Key).ReceivedSinceAsync(since);
        IExceptionProjection exceptions = listings;
        var open = await exceptions.ListAllAsync(new ExceptionQuery { Status = ExceptionStatus.Open }, PageSize, cancellationToken);
        var variances = await exceptions.ListAllAsync(
            new ExceptionQuery { Status = null, Kind = ExceptionKinds.InventoryVariance, CreatedFrom = startOfToday }, PageSize, cancellationToken);
        var resolved = await exceptions.ListAllAsync(new ExceptionQuery { Status = ExceptionStatus.Resolved, CreatedFrom = since }, PageSize, cancellationToken);
        return new KpiInputs(orders, open, variances, resolved, listings.ReturnsAuthorizedSince(since));
    }
}
