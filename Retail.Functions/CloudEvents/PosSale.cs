using Retail.Contracts.Erp;
using Retail.Contracts.Orders;

namespace Retail.Functions.CloudEvents;

/// <summary>The data of <c>retail.pos.sale</c> (schema event.retail.pos.sale.schema.json).</summary>
internal sealed record PosSale
{
    public string SaleId { get; init; } = "";
    public string StoreId { get; init; } = "";
    public string? RegisterId { get; init; }
    public DateTimeOffset SoldAt { get; init; }
    public string Currency { get; init; } = "";
    public Customer? Customer { get; init; }
    public IReadOnlyList<OrderLine> Lines { get; init; } = [];
    public Totals? Totals { get; init; }
    public PosPayment? Payment { get; init; }

    /// <summary>A sale at the till: picked up at the store on the spot and paid.</summary>
    public CanonicalOrder ToOrder() => new()
    {
        Channel = Channels.Pos,
        ChannelOrderId = SaleId,
        PlacedAt = SoldAt,
        Currency = Currency,
        Customer = Customer,
        Fulfillment = new Fulfillment { Method = FulfillmentMethods.Pickup, PickupLocationId = StoreId },
        Lines = Lines,
        Totals = Totals,
        Payment = new Payment
        {
            Provider = Payment?.Provider ?? "pos",
            Reference = Payment?.Reference ?? SaleId,
            Status = PaymentStatuses.Captured,
        },
    };

    /// <summary>The goods left the store with the customer: every unit shipped from the store at the time of sale.</summary>
    public ShipmentConfirmed ToShipment(string orderId) => new()
    {
        OrderId = orderId,
        ShipmentId = $"pos-{SaleId}",
        LocationId = StoreId,
        ShippedAt = SoldAt,
        Carrier = "customer",
        Lines = [.. Lines.Select(line => new LineQuantity { LineId = line.LineId, Quantity = line.Quantity })],
    };
}

internal sealed record PosPayment
{
    public string? Provider { get; init; }
    public string? Reference { get; init; }
    public string? Method { get; init; }
}
