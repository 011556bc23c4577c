using System.Text.Json;
using System.Text.Json.Serialization;

namespace Retail.Functions.Shopify;

/// <summary>The fields of Shopify's order webhook payload (REST Admin API order resource) that Retail maps.</summary>
internal sealed record ShopifyOrder
{
    public long Id { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }
    public string? CancelReason { get; init; }
    public string? Currency { get; init; }
    public string? FinancialStatus { get; init; }
    public bool TaxesIncluded { get; init; }
    public decimal? TotalPrice { get; init; }
    public decimal? SubtotalPrice { get; init; }
    public decimal? TotalLineItemsPrice { get; init; }
    public decimal? TotalTax { get; init; }
    public decimal? TotalDiscounts { get; init; }
    public ShopifyPriceSet? TotalShippingPriceSet { get; init; }
    public ShopifyCustomer? Customer { get; init; }
    public ShopifyAddress? ShippingAddress { get; init; }
    public IReadOnlyList<ShopifyLineItem> LineItems { get; init; } = [];
    public IReadOnlyList<ShopifyShippingLine> ShippingLines { get; init; } = [];
    public IReadOnlyList<string> PaymentGatewayNames { get; init; } = [];
}

internal sealed record ShopifyCustomer
{
    public long? Id { get; init; }
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
}

internal sealed record ShopifyAddress
{
    public string? Name { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Address1 { get; init; }
    public string? Address2 { get; init; }
    public string? City { get; init; }
    public string? ProvinceCode { get; init; }
    public string? Province { get; init; }
    public string? Zip { get; init; }
    public string? CountryCode { get; init; }
}

internal sealed record ShopifyLineItem
{
    public long Id { get; init; }
    public string? Sku { get; init; }
    public long? VariantId { get; init; }
    public string? Title { get; init; }
    public int Quantity { get; init; }
    public decimal Price { get; init; }
    public decimal? TotalDiscount { get; init; }
    public IReadOnlyList<ShopifyDiscountAllocation>? DiscountAllocations { get; init; }
    public IReadOnlyList<ShopifyTaxLine> TaxLines { get; init; } = [];
}

internal sealed record ShopifyDiscountAllocation
{
    public decimal Amount { get; init; }
}

internal sealed record ShopifyTaxLine
{
    public decimal Price { get; init; }
    public string? Title { get; init; }
}

internal sealed record ShopifyShippingLine
{
    public string? Code { get; init; }
    public string? Title { get; init; }
    public string? Source { get; init; }
    public decimal? Price { get; init; }
}

internal sealed record ShopifyPriceSet
{
    public ShopifyMoney? ShopMoney { get; init; }
}

internal sealed record ShopifyMoney
{
    public decimal Amount { get; init; }
    public string? CurrencyCode { get; init; }
}

/// <summary>The refunds/create payload (REST Admin API refund resource).</summary>
internal sealed record ShopifyRefund
{
    public long Id { get; init; }
    public long OrderId { get; init; }
    public string? Note { get; init; }
    public IReadOnlyList<ShopifyRefundLineItem> RefundLineItems { get; init; } = [];
    public IReadOnlyList<ShopifyTransaction> Transactions { get; init; } = [];
}

internal sealed record ShopifyRefundLineItem
{
    public long Id { get; init; }
    public long LineItemId { get; init; }
    public int Quantity { get; init; }
    /// <summary><c>no_restock</c>, <c>cancel</c> (never fulfilled), <c>return</c> (fulfilled and returned) or <c>legacy_restock</c>.</summary>
    public string? RestockType { get; init; }
    public long? LocationId { get; init; }
}

internal sealed record ShopifyTransaction
{
    public long Id { get; init; }
    /// <summary><c>refund</c> for money going back.</summary>
    public string? Kind { get; init; }
    /// <summary><c>success</c>, <c>pending</c>, <c>failure</c>, <c>error</c>.</summary>
    public string? Status { get; init; }
    public decimal Amount { get; init; }
    public string? Gateway { get; init; }
}

internal static class ShopifyJson
{
    /// <summary>snake_case names; money arrives as strings ("19.99").</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        MaxDepth = 64,
    };
}
