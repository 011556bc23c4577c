using Retail.Contracts.Orders;

namespace Retail.Contracts.Erp;

/// <summary>The queues and event stream Retail exchanges messages over.</summary>
public static class Entities
{
    /// <summary>ERP to Retail (sessions: orderId, or <c>{sku}@{locationId}</c> for stock).</summary>
    public const string ErpInbound = "erp-inbound";
    /// <summary>Retail to ERP.</summary>
    public const string ErpOutbound = "erp-outbound";
    /// <summary>CloudEvents for every other system.</summary>
    public const string RetailEvents = "retail-events";
}

/// <summary>Application property names every message carries.</summary>
public static class MessageProperties
{
    public const string MessageType = "MessageType";
    public const string CorrelationId = "correlationId";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";
}

/// <summary>The values of the <c>MessageType</c> application property (CONTRACTS.md section 5).</summary>
public static class ErpMessageTypes
{
    public const string InventorySnapshot = "InventorySnapshot";
    public const string InventoryAdjusted = "InventoryAdjusted";
    public const string OrderPostingAccepted = "OrderPostingAccepted";
    public const string OrderPostingRejected = "OrderPostingRejected";
    public const string ShipmentConfirmed = "ShipmentConfirmed";
    public const string InvoicePosted = "InvoicePosted";
    public const string ReturnReceived = "ReturnReceived";
    public const string PurchaseOrderConfirmed = "PurchaseOrderConfirmed";
    public const string PurchaseOrderReceived = "PurchaseOrderReceived";
    public const string TransferShipped = "TransferShipped";
    public const string TransferReceived = "TransferReceived";

    public const string SalesOrderPosted = "SalesOrderPosted";
    public const string OrderLinesCancelled = "OrderLinesCancelled";
    public const string ReturnAuthorized = "ReturnAuthorized";
    public const string RefundRequested = "RefundRequested";
    public const string TransferRequested = "TransferRequested";

    public static IReadOnlyList<string> Inbound { get; } =
        [
            InventorySnapshot, InventoryAdjusted, OrderPostingAccepted, OrderPostingRejected, ShipmentConfirmed, InvoicePosted, ReturnReceived,
            PurchaseOrderConfirmed, PurchaseOrderReceived, TransferShipped, TransferReceived,
        ];

    public static IReadOnlyList<string> Outbound { get; } = [SalesOrderPosted, OrderLinesCancelled, ReturnAuthorized, RefundRequested, TransferRequested];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.InventorySnapshot")]
public sealed record InventorySnapshot
{
    [Id(0)] public string LocationId { get; init; } = "";
    [Id(1)] public DateTimeOffset AsOf { get; init; }
    [Id(2)] public IReadOnlyList<SnapshotItem> Items { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.SnapshotItem")]
public sealed record SnapshotItem
{
    [Id(0)] public string Sku { get; init; } = "";
    /// <summary>The absolute count on hand.</summary>
    [Id(1)] public int OnHand { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.InventoryAdjusted")]
public sealed record InventoryAdjusted
{
    [Id(0)] public string AdjustmentId { get; init; } = "";
    [Id(1)] public string Sku { get; init; } = "";
    [Id(2)] public string LocationId { get; init; } = "";
    [Id(3)] public int Delta { get; init; }
    [Id(4)] public string Reason { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.OrderPostingAccepted")]
public sealed record OrderPostingAccepted
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string ErpOrderNumber { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.OrderPostingRejected")]
public sealed record OrderPostingRejected
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string Code { get; init; } = "";
    [Id(2)] public string Reason { get; init; } = "";
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.ShipmentConfirmed")]
public sealed record ShipmentConfirmed
{
    [Id(0)] public string OrderId { get; init; } = "";
    /// <summary>Dedupe key: a shipment is applied once.</summary>
    [Id(1)] public string ShipmentId { get; init; } = "";
    [Id(2)] public string LocationId { get; init; } = "";
    [Id(3)] public DateTimeOffset ShippedAt { get; init; }
    [Id(4)] public string? Carrier { get; init; }
    [Id(5)] public string? TrackingNumber { get; init; }
    [Id(6)] public IReadOnlyList<LineQuantity> Lines { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.InvoicePosted")]
public sealed record InvoicePosted
{
    [Id(0)] public string OrderId { get; init; } = "";
    /// <summary>Dedupe key: an invoice is applied once.</summary>
    [Id(1)] public string InvoiceId { get; init; } = "";
    [Id(2)] public DateTimeOffset PostedAt { get; init; }
    [Id(3)] public IReadOnlyList<InvoiceLine> Lines { get; init; } = [];
    [Id(4)] public decimal Total { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.InvoiceLine")]
public sealed record InvoiceLine
{
    [Id(0)] public string LineId { get; init; } = "";
    [Id(1)] public int Quantity { get; init; }
    [Id(2)] public decimal Amount { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.ReturnReceived")]
public sealed record ReturnReceived
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string ReturnId { get; init; } = "";
    [Id(2)] public string LocationId { get; init; } = "";
    [Id(3)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(4)] public IReadOnlyList<ReturnedLine> Lines { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.ReturnedLine")]
public sealed record ReturnedLine
{
    [Id(0)] public string LineId { get; init; } = "";
    [Id(1)] public int Quantity { get; init; }
    /// <summary>Resellable units go back on hand at the receiving location.</summary>
    [Id(2)] public bool Resellable { get; init; }
}

/// <summary>Retail to ERP: the order released for fulfilment, with where each line is allocated.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Erp.SalesOrderPosted")]
public sealed record SalesOrderPosted
{
    [Id(0)] public CanonicalOrder Order { get; init; } = new();
    [Id(1)] public IReadOnlyList<LineAllocations> Allocations { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.LineAllocations")]
public sealed record LineAllocations
{
    [Id(0)] public string LineId { get; init; } = "";
    [Id(1)] public IReadOnlyList<Allocation> Locations { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.OrderLinesCancelled")]
public sealed record OrderLinesCancelled
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string Reason { get; init; } = "";
    [Id(2)] public IReadOnlyList<LineQuantity> Lines { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.ReturnAuthorized")]
public sealed record ReturnAuthorized
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string ReturnId { get; init; } = "";
    [Id(2)] public string Reason { get; init; } = "";
    [Id(3)] public IReadOnlyList<LineQuantity> Lines { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.RefundRequested")]
public sealed record RefundRequested
{
    [Id(0)] public string OrderId { get; init; } = "";
    [Id(1)] public string RefundId { get; init; } = "";
    [Id(2)] public decimal Amount { get; init; }
    [Id(3)] public string Currency { get; init; } = "";
    [Id(4)] public string Reason { get; init; } = "";
    [Id(5)] public string? PaymentProvider { get; init; }
    [Id(6)] public string? PaymentReference { get; init; }
}

/// <summary>ERP to Retail: a purchase order's lines expected at a location. A repeat replaces the expectation.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Erp.PurchaseOrderConfirmed")]
public sealed record PurchaseOrderConfirmed
{
    /// <summary>Document id: the purchase order.</summary>
    [Id(0)] public string PoId { get; init; } = "";
    [Id(1)] public string LocationId { get; init; } = "";
    [Id(2)] public IReadOnlyList<PurchaseOrderLine> Lines { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("Retail.Erp.PurchaseOrderLine")]
public sealed record PurchaseOrderLine
{
    [Id(0)] public string Sku { get; init; } = "";
    /// <summary>Units expected; 0 cancels the line.</summary>
    [Id(1)] public int Quantity { get; init; }
    [Id(2)] public DateTimeOffset ExpectedAt { get; init; }
}

/// <summary>ERP to Retail: a purchase order arrived at its location; it closes the purchase order there.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Erp.PurchaseOrderReceived")]
public sealed record PurchaseOrderReceived
{
    [Id(0)] public string PoId { get; init; } = "";
    [Id(1)] public string LocationId { get; init; } = "";
    [Id(2)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(3)] public IReadOnlyList<SkuQuantity> Lines { get; init; } = [];
}

/// <summary>ERP to Retail: a transfer left its source; its units leave on hand there and are expected at the destination.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Erp.TransferShipped")]
public sealed record TransferShipped
{
    [Id(0)] public string TransferId { get; init; } = "";
    [Id(1)] public string FromLocationId { get; init; } = "";
    [Id(2)] public string ToLocationId { get; init; } = "";
    [Id(3)] public DateTimeOffset ShippedAt { get; init; }
    [Id(4)] public DateTimeOffset ExpectedAt { get; init; }
    [Id(5)] public IReadOnlyList<SkuQuantity> Lines { get; init; } = [];
}

/// <summary>ERP to Retail: a transfer arrived at its destination.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Erp.TransferReceived")]
public sealed record TransferReceived
{
    [Id(0)] public string TransferId { get; init; } = "";
    [Id(1)] public string ToLocationId { get; init; } = "";
    [Id(2)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(3)] public IReadOnlyList<SkuQuantity> Lines { get; init; } = [];
}

/// <summary>Retail to ERP: an operator asked for a transfer.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Erp.TransferRequested")]
public sealed record TransferRequested
{
    [Id(0)] public string TransferId { get; init; } = "";
    [Id(1)] public string FromLocationId { get; init; } = "";
    [Id(2)] public string ToLocationId { get; init; } = "";
    [Id(3)] public IReadOnlyList<SkuQuantity> Lines { get; init; } = [];
}

/// <summary>Units of a SKU on a supply document.</summary>
[GenerateSerializer, Immutable, Alias("Retail.Erp.SkuQuantity")]
public sealed record SkuQuantity
{
    [Id(0)] public string Sku { get; init; } = "";
    [Id(1)] public int Quantity { get; init; }
}
