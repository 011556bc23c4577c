using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;

namespace Retail.Api.Operations;

/// <summary>The read model over the in-memory order directory and the exception registry grains.</summary>
internal sealed class GrainOperationsReadModel(IClusterClient cluster) : IOperationsReadModel
{
    private const int RegistryPageSize = 500;

    public Task<OrderPage> ListOrdersAsync(OrderListQuery query, CancellationToken cancellationToken) =>
        cluster.GetGrain<IOrderDirectoryGrain>(IOrderDirectoryGrain.Key).ListAsync(query);

    public async Task<KpiInputs> ReadKpiInputsAsync(DateTimeOffset since, DateTimeOffset startOfToday, CancellationToken cancellationToken)
    {
        var orders = await cluster.GetGrain<IOrderDirectoryGrain>(IOrderDirectoryGrain.Key).ReceivedSinceAsync(since);
        var open = await ReadAllAsync(new ExceptionQuery { Status = ExceptionStatus.Open }, cancellationToken);
        var variances = await ReadAllAsync(new ExceptionQuery { Status = null, Kind = ExceptionKinds.InventoryVariance }, cancellationToken);
        return new KpiInputs(orders, open, [.. variances.Where(record => record.CreatedAt >= startOfToday)]);
    }

    private async Task<List<ExceptionRecord>> ReadAllAsync(ExceptionQuery query, CancellationToken cancellationToken)
    {
        var registry = cluster.GetGrain<IExceptionRegistryGrain>(IExceptionRegistryGrain.Key);
        var records = new List<ExceptionRecord>();
        var page = query with { Limit = RegistryPageSize };
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = await registry.ListAsync(page);
            records.AddRange(batch);
            if (batch.Count < RegistryPageSize)
            {
                return records;
            }
            page = page with { After = batch[^1].Id };
        }
    }
}
