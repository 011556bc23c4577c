using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Retail.Api.Idempotency;
using Retail.Api.Operations;
using Retail.Api.Paging;
using Retail.Api.Security;
using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Api.Endpoints;

/// <summary>Order intake, queries, cancellations and returns.</summary>
public static class OrdersEndpoints
{
    public static IEndpointRouteBuilder MapOrdersEndpoints(this IEndpointRouteBuilder api)
    {
        var orders = api.MapGroup("/orders").WithTags("Orders");

        orders.MapPost("/", SubmitAsync).WithName("SubmitOrder").RequireAuthorization(Scopes.OrdersWrite).WithIdempotency()
            .WithSummary("Canonical order intake")
            .WithDescription("201 with the new order's id and status; a repeat of the same channel and channelOrderId answers 200 with the existing order.")
            .ProducesValidationProblem();
        orders.MapGet("/", ListAsync).WithName("ListOrders").RequireAuthorization(Scopes.OrdersRead)
            .WithSummary("Orders for operations, oldest received first, filtered by status, channel and age")
            .ProducesValidationProblem();
        orders.MapGet("/{orderId}", GetAsync).WithName("GetOrder").RequireAuthorization(Scopes.OrdersRead)
            .WithSummary("The order with its lines, allocations, payment, refunds, returns and timeline")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        orders.MapPost("/{orderId}/cancel", CancelAsync).WithName("CancelOrder").RequireAuthorization(Scopes.OrdersWrite).WithIdempotency()
            .WithSummary("Cancels the whole order, or the given quantities of some lines")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        orders.MapPost("/{orderId}/returns", ReturnAsync).WithName("ReturnOrderLines").RequireAuthorization(Scopes.OrdersWrite).WithIdempotency()
            .WithSummary("Authorizes a return of shipped units")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static string OrderPath(string orderId) => $"{RetailApi.BasePath}/orders/{orderId}";

    internal static async Task<Results<Created<OrderAccepted>, Ok<OrderAccepted>>> SubmitAsync(CanonicalOrder order, IClusterClient cluster)
    {
        // The order grain validates the order (a 400 with the field errors) and claims its channel order once.
        var orderId = order.OrderId ?? Guid.NewGuid().ToString("N");
        var result = await cluster.GetGrain<IOrderGrain>(orderId).SubmitAsync(order with { OrderId = orderId });
        var accepted = new OrderAccepted(result.OrderId, result.Status);
        return result.Created ? TypedResults.Created(OrderPath(result.OrderId), accepted) : TypedResults.Ok(accepted);
    }

    internal static async Task<Ok<OrderView>> GetAsync(string orderId, IClusterClient cluster)
    {
        new QueryValidation().Id(nameof(orderId), orderId).ThrowIfInvalid();
        var order = await cluster.GetGrain<IOrderGrain>(orderId).GetAsync()
            ?? throw new RetailException(ProblemCodes.OrderNotFound, $"No order has the id '{orderId}'.");
        return TypedResults.Ok(order);
    }

    internal static async Task<Ok<OrderList>> ListAsync(
        string? status, string? channel, int? olderThanMinutes, int? limit, string? cursor,
        IOperationsReadModel readModel, CancellationToken cancellationToken)
    {
        var validation = new QueryValidation();
        OrderStatus? statusFilter = null;
        if (status is not null)
        {
            if (Enum.TryParse<OrderStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsAsciiDigit(status[0]))
            {
                statusFilter = parsed;
            }
            else
            {
                validation.Add(nameof(status), $"Must be one of: {string.Join(", ", Enum.GetNames<OrderStatus>())}.");
            }
        }
        if (channel is not null && !Channels.All.Contains(channel))
        {
            validation.Add(nameof(channel), $"Must be one of: {string.Join(", ", Channels.All)}.");
        }
        if (olderThanMinutes is < 0 or > 525_600)
        {
            validation.Add(nameof(olderThanMinutes), "Must be between 0 and 525600 (a year).");
        }
        var pageSize = validation.Limit(limit);
        var filters = string.Create(CultureInfo.InvariantCulture, $"orders|{statusFilter}|{channel}|{olderThanMinutes}");
        var position = validation.Cursor(cursor, filters);
        validation.ThrowIfInvalid();

        var page = await readModel.ListOrdersAsync(new OrderListQuery
        {
            Status = statusFilter,
            Channel = channel,
            OlderThanMinutes = olderThanMinutes,
            Limit = pageSize,
            Cursor = position,
        }, cancellationToken);
        return TypedResults.Ok(new OrderList(page.Items, page.NextCursor is { } next ? PageCursor.Encode(next, filters) : null));
    }

    internal static async Task<Ok<OrderView>> CancelAsync(string orderId, CancelRequest request, IClusterClient cluster)
    {
        var validation = new QueryValidation().Id(nameof(orderId), orderId);
        Validation.Text(validation, "reason", request.Reason);
        Validation.Lines(validation, request.Lines, required: false);
        validation.ThrowIfInvalid();

        return TypedResults.Ok(await cluster.GetGrain<IOrderGrain>(orderId).CancelAsync(request));
    }

    internal static async Task<Created<ReturnAccepted>> ReturnAsync(string orderId, ReturnRequest request, IClusterClient cluster)
    {
        var validation = new QueryValidation().Id(nameof(orderId), orderId);
        Validation.Text(validation, "reason", request.Reason);
        Validation.Lines(validation, request.Lines, required: true);
        if (request.ReturnId is not null)
        {
            validation.Id("returnId", request.ReturnId);
        }
        validation.ThrowIfInvalid();

        var authorized = await cluster.GetGrain<IOrderGrain>(orderId).AuthorizeReturnAsync(request);
        return TypedResults.Created(OrderPath(orderId), new ReturnAccepted(authorized.ReturnId, authorized.Status));
    }
}
