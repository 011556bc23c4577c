using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;

namespace Retail.Api.Endpoints;

/// <summary>The answer to an intake: 201 when this request created the order, 200 when it already existed.</summary>
public sealed record OrderAccepted(string OrderId, OrderStatus Status);

/// <summary>A page of the order list, oldest received first.</summary>
public sealed record OrderList(IReadOnlyList<OrderSummary> Items, string? NextCursor);

/// <summary>The answer to a return request.</summary>
public sealed record ReturnAccepted(string ReturnId, ReturnStatus Status);

/// <summary>Availability of a SKU across locations.</summary>
public sealed record AvailabilityResponse(string Sku, int Total, IReadOnlyList<LocationAvailability> Locations)
{
    /// <summary>Supply expected at the locations (purchase-order lines, transfers on their way), earliest first.</summary>
    public IReadOnlyList<InboundResponse> Inbound { get; init; } = [];

    /// <summary>With <c>?quantity=N</c>: the earliest date and location at which N units can be promised; null when no supply reaches N.</summary>
    public PromiseResponse? Promise { get; init; }
}

public sealed record LocationAvailability(string LocationId, int OnHand, int Reserved, int SafetyStock, int Available)
{
    /// <summary>Units shipped from here on transfers not yet received.</summary>
    public int InTransit { get; init; }

    /// <summary>Units of the inbound supply here promised to orders.</summary>
    public int Promised { get; init; }
}

/// <summary>One supply expected at a location: its quantity, and how much of it is promised to orders already.</summary>
public sealed record InboundResponse(string LocationId, int Quantity, DateTimeOffset ExpectedAt, string Reference, string Kind, int Promised);

/// <summary>When <c>quantity</c> units can be promised (now, from stock on hand, or from inbound supply) and where.</summary>
public sealed record PromiseResponse(int Quantity, DateTimeOffset AvailableFrom, string LocationId);

/// <summary>POST /transfers.</summary>
public sealed record TransferRequestBody(string? FromLocationId, string? ToLocationId, IReadOnlyList<TransferLineBody>? Lines);

public sealed record TransferLineBody(string? Sku, int? Quantity);

public sealed record TransferCreatedResponse(string TransferId, string Status);

/// <summary>One stock position.</summary>
public sealed record InventoryPositionResponse(
    string Sku, string LocationId, int OnHand, int SafetyStock, int Reserved, int Available, DateTimeOffset? SnapshotAsOf);

/// <summary>PUT /inventory/{sku}/{locationId}: sets on hand and safety stock outright.</summary>
public sealed record SetStockRequest(int? OnHand, int? SafetyStock);

/// <summary>PUT /locations/{locationId}; <c>type</c> is <c>warehouse</c> or <c>store</c>; lower priority is sourced first.</summary>
public sealed record LocationRequest(string? Name, string? Type, int? Priority, string? Region);

public sealed record LocationResponse(string LocationId, string Name, string Type, int Priority, string? Region);

/// <summary>A page of exception records, oldest first.</summary>
public sealed record ExceptionList(IReadOnlyList<ExceptionRecord> Items, string? NextCursor);

/// <summary>POST /exceptions/{id}/resolve: what was done about it.</summary>
public sealed record ResolveExceptionRequest(string? Resolution);

/// <summary>The open exception records grouped by cause, the largest group first.</summary>
public sealed record ExceptionGroupList(IReadOnlyList<ExceptionGroupView> Items);

/// <summary>One cause: its kind and business root, how many records are open, the oldest (with its age) and the newest.</summary>
public sealed record ExceptionGroupView(
    string Kind, string Root, int Count, DateTimeOffset OldestCreatedAt, double OldestAgeSeconds, DateTimeOffset NewestCreatedAt);

/// <summary>POST /exceptions/groups/retry and /resolve: the group (kind and root) and, to resolve, what was done.</summary>
public sealed record ExceptionGroupRequest(string? Kind, string? Root, string? Resolution);

/// <summary>What a group action did: each record it changed, oldest first, and each it could not change, with why.</summary>
public sealed record ExceptionGroupResult(string Kind, string Root, IReadOnlyList<ExceptionRecord> Done, IReadOnlyList<ExceptionGroupFailure> Failed);

public sealed record ExceptionGroupFailure(string Id, string Code, string Detail);
