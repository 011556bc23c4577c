using System.Globalization;
using Retail.Contracts.Orders;

namespace Retail.Functions.Shopify;

/// <summary>Maps Shopify's order payload to the canonical order (the mapping is documented in docs/bridge.md).</summary>
internal static class ShopifyOrderMapper
{
    public const string PaymentProvider = "shopify";

    public static CanonicalOrder Map(ShopifyOrder order, IReadOnlyDictionary<string, string> pickupLocations)
    {
        ArgumentNullException.ThrowIfNull(order);
        var lines = order.LineItems.Select(MapLine).ToArray();
        var lineDiscounts = lines.Sum(line => line.Discount);
        return new CanonicalOrder
        {
            Channel = Channels.Shopify,
            ChannelOrderId = ChannelOrderId(order.Id),
            PlacedAt = order.CreatedAt?.ToUniversalTime(),
            Currency = (order.Currency ?? "").ToUpperInvariant(),
            Customer = MapCustomer(order),
            ShipTo = MapAddress(order.ShippingAddress),
            Fulfillment = MapFulfillment(order.ShippingLines, pickupLocations),
            Lines = lines,
            Totals = new Totals
            {
                Subtotal = order.TotalLineItemsPrice ?? lines.Sum(line => line.UnitPrice * line.Quantity),
                Discount = order.TotalDiscounts ?? lineDiscounts,
                Shipping = order.TotalShippingPriceSet?.ShopMoney?.Amount ?? 0m,
                Tax = order.TotalTax ?? lines.Sum(line => line.Tax),
                GrandTotal = order.TotalPrice ?? 0m,
            },
            Payment = new Payment
            {
                Provider = order.PaymentGatewayNames.FirstOrDefault(name => !string.IsNullOrWhiteSpace(name)) ?? PaymentProvider,
                Reference = ChannelOrderId(order.Id),
                Status = PaymentStatusOf(order.FinancialStatus) ?? PaymentStatuses.Pending,
            },
        };
    }

    public static string ChannelOrderId(long shopifyOrderId) => shopifyOrderId.ToString(CultureInfo.InvariantCulture);

    public static string LineId(long lineItemId) => lineItemId.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Shopify's <c>financial_status</c> as a canonical payment status; null for statuses that say nothing new about
    /// whether the money is secured (unknown values).
    /// </summary>
    public static string? PaymentStatusOf(string? financialStatus) => financialStatus switch
    {
        "pending" => PaymentStatuses.Pending,
        "authorized" => PaymentStatuses.Authorized,
        // Part of the money is captured (a deposit, a split tender): the order is secured enough to release.
        "partially_paid" => PaymentStatuses.Authorized,
        "paid" or "partially_refunded" or "refunded" => PaymentStatuses.Captured,
        "voided" or "expired" => PaymentStatuses.Failed,
        _ => null,
    };

    private static OrderLine MapLine(ShopifyLineItem item) => new()
    {
        LineId = LineId(item.Id),
        // A line without a SKU (a custom item) is still taken in, under a SKU Retail will not know: the order holds
        // with an UnknownSku exception instead of being lost.
        Sku = string.IsNullOrWhiteSpace(item.Sku)
            ? $"shopify-variant-{(item.VariantId ?? item.Id).ToString(CultureInfo.InvariantCulture)}"
            : item.Sku.Trim(),
        Quantity = item.Quantity,
        UnitPrice = item.Price,
        // discount_allocations replaced the deprecated total_discount; both are for the whole line.
        Discount = item.DiscountAllocations is { Count: > 0 } allocations ? allocations.Sum(a => a.Amount) : item.TotalDiscount ?? 0m,
        Tax = item.TaxLines.Sum(tax => tax.Price),
    };

    private static Customer? MapCustomer(ShopifyOrder order)
    {
        var customer = order.Customer;
        var name = string.Join(' ', new[] { customer?.FirstName, customer?.LastName }.Where(part => !string.IsNullOrWhiteSpace(part)));
        if (customer is null && order.Email is null)
        {
            return null;
        }
        return new Customer
        {
            CustomerId = customer?.Id?.ToString(CultureInfo.InvariantCulture),
            Email = order.Email ?? customer?.Email,
            Name = name.Length > 0 ? name : order.ShippingAddress?.Name,
        };
    }

    private static Address? MapAddress(ShopifyAddress? address) => address is null ? null : new Address
    {
        Name = address.Name ?? string.Join(' ', new[] { address.FirstName, address.LastName }.Where(part => !string.IsNullOrWhiteSpace(part))),
        Line1 = address.Address1,
        Line2 = string.IsNullOrWhiteSpace(address.Address2) ? null : address.Address2,
        City = address.City,
        Region = address.ProvinceCode ?? address.Province,
        PostalCode = address.Zip,
        Country = address.CountryCode,
    };

    /// <summary>
    /// Shopify's order payload has no delivery-method field: a local pickup shows as a shipping line (source
    /// <c>shopify</c>, usually free) whose code and title are the pickup location's name. The configured
    /// <c>Webhooks:Shopify:PickupLocations</c> map those names to Retail location ids.
    /// </summary>
    private static Fulfillment MapFulfillment(IReadOnlyList<ShopifyShippingLine> shippingLines, IReadOnlyDictionary<string, string> pickupLocations)
    {
        foreach (var line in shippingLines)
        {
            foreach (var name in new[] { line.Code, line.Title })
            {
                if (!string.IsNullOrWhiteSpace(name) && pickupLocations.TryGetValue(name.Trim(), out var locationId))
                {
                    return new Fulfillment { Method = FulfillmentMethods.Pickup, PickupLocationId = locationId };
                }
            }
        }
        return new Fulfillment { Method = FulfillmentMethods.Ship };
    }
}
