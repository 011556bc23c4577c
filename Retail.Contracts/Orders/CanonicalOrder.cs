namespace Retail.Contracts.Orders;

/// <summary>The one order shape every channel is mapped to before a grain sees it (CONTRACTS.md section 1).</summary>
[GenerateSerializer, Immutable, Alias("Retail.CanonicalOrder")]
public sealed record CanonicalOrder
{
    /// <summary>Assigned by Retail when absent.</summary>
    [Id(0)] public string? OrderId { get; init; }
    /// <summary>One of <see cref="Channels.All"/>.</summary>
    [Id(1)] public string Channel { get; init; } = "";
    /// <summary>The order's id in its channel; unique per channel and the intake's dedupe key.</summary>
    [Id(2)] public string ChannelOrderId { get; init; } = "";
    [Id(3)] public DateTimeOffset? PlacedAt { get; init; }
    /// <summary>ISO-4217 code, three letters.</summary>
    [Id(4)] public string Currency { get; init; } = "";
    [Id(5)] public Customer? Customer { get; init; }
    [Id(6)] public Address? ShipTo { get; init; }
    [Id(7)] public Fulfillment Fulfillment { get; init; } = new();
    [Id(8)] public IReadOnlyList<OrderLine> Lines { get; init; } = [];
    [Id(9)] public Totals? Totals { get; init; }
    [Id(10)] public Payment? Payment { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.Customer")]
public sealed record Customer
{
    [Id(0)] public string? CustomerId { get; init; }
    [Id(1)] public string? Email { get; init; }
    [Id(2)] public string? Name { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.Address")]
public sealed record Address
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public string? Line1 { get; init; }
    [Id(2)] public string? Line2 { get; init; }
    [Id(3)] public string? City { get; init; }
    [Id(4)] public string? Region { get; init; }
    [Id(5)] public string? PostalCode { get; init; }
    [Id(6)] public string? Country { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.Fulfillment")]
public sealed record Fulfillment
{
    /// <summary><see cref="FulfillmentMethods.Ship"/> or <see cref="FulfillmentMethods.Pickup"/>.</summary>
    [Id(0)] public string Method { get; init; } = FulfillmentMethods.Ship;
    /// <summary>Required for pickup: the store that hands the goods over.</summary>
    [Id(1)] public string? PickupLocationId { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.OrderLine")]
public sealed record OrderLine
{
    /// <summary>Unique within the order.</summary>
    [Id(0)] public string LineId { get; init; } = "";
    [Id(1)] public string Sku { get; init; } = "";
    /// <summary>A positive whole number of units.</summary>
    [Id(2)] public int Quantity { get; init; }
    [Id(3)] public decimal UnitPrice { get; init; }
    /// <summary>The discount on the whole line (not per unit).</summary>
    [Id(4)] public decimal Discount { get; init; }
    /// <summary>The tax on the whole line.</summary>
    [Id(5)] public decimal Tax { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.Totals")]
public sealed record Totals
{
    [Id(0)] public decimal Subtotal { get; init; }
    [Id(1)] public decimal Discount { get; init; }
    [Id(2)] public decimal Shipping { get; init; }
    [Id(3)] public decimal Tax { get; init; }
    [Id(4)] public decimal GrandTotal { get; init; }
}

[GenerateSerializer, Immutable, Alias("Retail.Payment")]
public sealed record Payment
{
    [Id(0)] public string? Provider { get; init; }
    [Id(1)] public string? Reference { get; init; }
    /// <summary>One of <see cref="PaymentStatuses.All"/>.</summary>
    [Id(2)] public string Status { get; init; } = PaymentStatuses.Pending;
}

/// <summary>The sales channels an order can come from.</summary>
public static class Channels
{
    public const string Web = "web";
    public const string Shopify = "shopify";
    public const string Marketplace = "marketplace";
    public const string Pos = "pos";
    public const string CallCenter = "callcenter";
    public const string B2B = "b2b";
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Web, Shopify, Marketplace, Pos, CallCenter, B2B };
}

public static class FulfillmentMethods
{
    public const string Ship = "ship";
    public const string Pickup = "pickup";
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Ship, Pickup };
}

public static class PaymentStatuses
{
    public const string Pending = "pending";
    public const string Authorized = "authorized";
    public const string Captured = "captured";
    public const string Failed = "failed";
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Pending, Authorized, Captured, Failed };
}
