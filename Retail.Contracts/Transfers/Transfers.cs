using Retail.Contracts.Erp;

namespace Retail.Contracts.Transfers;

public enum TransferStatus
{
    /// <summary>Asked for through the API and sent to the ERP; nothing has moved yet.</summary>
    Requested,
    /// <summary>Left its source: the units are in transit and expected at the destination.</summary>
    Shipped,
    /// <summary>Arrived at its destination.</summary>
    Received,
}

/// <summary>POST /transfers: move stock from one location to another.</summary>
[GenerateSerializer, Immutable, Alias("Retail.TransferRequest")]
public sealed record TransferRequest
{
    [Id(0)] public string FromLocationId { get; init; } = "";
    [Id(1)] public string ToLocationId { get; init; } = "";
    [Id(2)] public IReadOnlyList<SkuQuantity> Lines { get; init; } = [];
}

/// <summary>GET /transfers/{id}.</summary>
[GenerateSerializer, Immutable, Alias("Retail.TransferView")]
public sealed record TransferView
{
    [Id(0)] public string TransferId { get; init; } = "";
    [Id(1)] public TransferStatus Status { get; init; }
    [Id(2)] public string FromLocationId { get; init; } = "";
    [Id(3)] public string ToLocationId { get; init; } = "";
    /// <summary>As requested, else as shipped.</summary>
    [Id(4)] public IReadOnlyList<SkuQuantity> Lines { get; init; } = [];
    [Id(5)] public DateTimeOffset? RequestedAt { get; init; }
    [Id(6)] public DateTimeOffset? ShippedAt { get; init; }
    [Id(7)] public DateTimeOffset? ExpectedAt { get; init; }
    [Id(8)] public DateTimeOffset? ReceivedAt { get; init; }
    [Id(9)] public IReadOnlyList<SkuQuantity> Shipped { get; init; } = [];
    [Id(10)] public IReadOnlyList<SkuQuantity> Received { get; init; } = [];
}

/// <summary>
/// One transfer between two locations (key: transferId). Requested through the API (sent to the ERP as
/// <see cref="Erp.TransferRequested"/>), or first heard of when the ERP ships it. Shipping takes the units off hand at
/// the source and makes them inbound supply at the destination; receiving puts them on hand there. Each step is
/// applied once; a repeat is acknowledged and changes nothing.
/// </summary>
[Alias("Retail.ITransferGrain")]
public interface ITransferGrain : IGrainWithStringKey
{
    [Alias("Request")]
    Task<TransferView> RequestAsync(TransferRequest request);

    [Alias("Ship")]
    Task<TransferView> ShipAsync(TransferShipped shipped);

    [Alias("Receive")]
    Task<TransferView> ReceiveAsync(TransferReceived received);

    /// <summary>Null when no transfer has this id.</summary>
    [Alias("Get")]
    Task<TransferView?> GetAsync();
}

/// <summary>A purchase order as Retail knows it.</summary>
[GenerateSerializer, Immutable, Alias("Retail.PurchaseOrderView")]
public sealed record PurchaseOrderView
{
    [Id(0)] public string PoId { get; init; } = "";
    [Id(1)] public string LocationId { get; init; } = "";
    [Id(2)] public IReadOnlyList<PurchaseOrderLine> Lines { get; init; } = [];
    [Id(3)] public DateTimeOffset? ReceivedAt { get; init; }
    [Id(4)] public IReadOnlyList<SkuQuantity> Received { get; init; } = [];
}

/// <summary>
/// One purchase order (key: poId): its lines are inbound supply at its location until it is received. A confirmation
/// replaces the previous one (a line left out is cancelled); the receipt closes it.
/// </summary>
[Alias("Retail.IPurchaseOrderGrain")]
public interface IPurchaseOrderGrain : IGrainWithStringKey
{
    [Alias("Confirm")]
    Task<PurchaseOrderView> ConfirmAsync(PurchaseOrderConfirmed confirmed);

    /// <summary>Throws <see cref="ProblemCodes.PurchaseOrderNotFound"/> for a purchase order never confirmed.</summary>
    [Alias("Receive")]
    Task<PurchaseOrderView> ReceiveAsync(PurchaseOrderReceived received);

    [Alias("Get")]
    Task<PurchaseOrderView?> GetAsync();
}
