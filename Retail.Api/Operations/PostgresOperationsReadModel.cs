using Retail.Contracts;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Retail.Grains;
using Retail.Postgres.Connection;
using Retail.Postgres.Hosting;
using Retail.Silo;
using Retail.Postgres.Operations;
using OrderPage = Retail.Contracts.Orders.OrderPage;

namespace Retail.Api.Operations;

/// <summary>
/// The read model over the listing tables in PostgreSQL (<see cref="OperationsQueries"/>): the order list and the KPI
/// inputs come from the order, return and exception listings that the silos' grain storage writes with the state, so
/// they survive restarts and need no in-memory order directory (silos on PostgreSQL run with <c>Orders:Directory=false</c>).
/// </summary>
internal sealed class PostgresOperationsReadModel(OperationsQueries queries, IExceptionProjection exceptions) : IOperationsReadModel
{
    private const int PageSize = 500;

    public async Task<OrderPage> ListOrdersAsync(OrderListQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (query.Limit is < 1 or > OperationsQueries.MaxPageSize)
        {
            errors["limit"] = [$"Must be between 1 and {OperationsQueries.MaxPageSize}."];
        }
        if (query.OlderThanMinutes is < 0)
        {
            errors["olderThanMinutes"] = ["Must not be negative."];
        }
        if (errors.Count > 0)
        {
            throw new RetailValidationException(errors);
        }

        var filter = new OrderFilter(
            query.Status?.ToString(),
            query.Channel,
            query.OlderThanMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null);
        Retail.Postgres.Operations.OrderPage page;
        try
        {
            page = await queries.ListOrdersAsync(filter, query.Cursor, query.Limit, cancellationToken);
        }
        catch (ArgumentException exception) when (exception.ParamName == "cursor")
        {
            throw new RetailValidationException(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["cursor"] = ["Is not a cursor this list gave out."],
            });
        }
        return new OrderPage { Items = [.. page.Orders.Select(ToSummary)], NextCursor = page.NextCursor };
    }

    public async Task<KpiInputs> ReadKpiInputsAsync(DateTimeOffset since, DateTimeOffset startOfToday, CancellationToken cancellationToken)
    {
        var orders = await queries.ListOrdersReceivedSinceAsync(since, cancellationToken);
        var open = await exceptions.ListAllAsync(new ExceptionQuery { Status = ExceptionStatus.Open }, PageSize, cancellationToken);
        var variances = await exceptions.ListAllAsync(
            new ExceptionQuery { Status = null, Kind = ExceptionKinds.InventoryVariance, CreatedFrom = startOfToday }, PageSize, cancellationToken);
        var resolved = await exceptions.ListAllAsync(new ExceptionQuery { Status = ExceptionStatus.Resolved, CreatedFrom = since }, PageSize, cancellationToken);
        var returns = await queries.ListReturnsAuthorizedSinceAsync(since, cancellationToken);
        return new KpiInputs([.. orders.Select(ToSummary)], open, variances, resolved,
            [.. returns.Select(row => new ReturnListing(row.OrderId, row.ReturnId, row.AuthorizedAt, row.ReceivedAt, row.RefundedAt))]);
    }

    private static OrderSummary ToSummary(OrderSummaryRow row) => new()
    {
        OrderId = row.OrderId,
        Channel = row.Channel ?? "",
        ChannelOrderId = row.ChannelOrderId ?? "",
        Status = Enum.TryParse<OrderStatus>(row.Status, ignoreCase: false, out var status)
            ? status
            : throw new InvalidOperationException($"The listing row of order '{row.OrderId}' has the unknown status '{row.Status}'."),
        ReceivedAt = row.ReceivedAt,
        UpdatedAt = row.UpdatedAt ?? row.ReceivedAt,
        ReleasedAt = row.ReleasedAt,
        PostingAcceptedAt = row.PostingAcceptedAt,
        ShippedAt = row.ShippedAt,
        RefundPendingAmount = row.RefundPendingAmount,
        HoldReason = row.HoldReason,
        GrandTotal = row.GrandTotal,
    };
}

/// <summary>Chooses the operations read model by where the grains' state is stored.</summary>
internal static class OperationsReadModelRegistration
{
    /// <summary>
    /// With the orders' grain storage on PostgreSQL (<c>Orleans:GrainStorage:orders:ProviderType=RetailPostgres</c> in a
    /// silo, a <c>retail-db</c> connection string or <c>Postgres:UseEntraId</c> in a client) the read model in SQL (<see cref="PostgresOperationsReadModel"/>, on the
    /// <c>retail-db</c> data source and <c>Orleans:ServiceId</c>); otherwise the grain-based one.
    /// </summary>
    public static IServiceCollection AddOperationsReadModel(this IServiceCollection services, IConfiguration configuration)
    {
        if (StoresInPostgres(configuration))
        {
            services.AddRetailOperationsQueries(configuration);
            services.AddRetailPostgresExceptionProjection(configuration);
            services.AddSingleton<IOperationsReadModel, PostgresOperationsReadModel>();
        }
        else
        {
            services.TryAddSingleton<InMemoryListings>();
            services.TryAddSingleton<IExceptionProjection>(sp => sp.GetRequiredService<InMemoryListings>());
            services.AddSingleton<IOperationsReadModel, GrainOperationsReadModel>();
        }
        return services;
    }

    private static bool StoresInPostgres(IConfiguration configuration) =>
        RetailOrleansHosting.IsEmbedded(configuration)
            ? string.Equals(configuration[$"Orleans:GrainStorage:{StorageNames.Orders}:ProviderType"], RetailPostgresProviders.ProviderType, StringComparison.Ordinal)
            : !string.IsNullOrWhiteSpace(configuration.GetConnectionString(RetailDataSourceFactory.ConnectionStringName)) || configuration.GetValue<bool>("Postgres:UseEntraId");
}
