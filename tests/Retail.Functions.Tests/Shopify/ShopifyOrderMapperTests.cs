using System.Text.Json;
using Retail.Contracts.Orders;
using Retail.Functions.Shopify;

namespace Retail.Functions.Tests.Shopify;

public sealed class ShopifyOrderMapperTests
{
    private static readonly Dictionary<string, string> PickupLocations = new(StringComparer.OrdinalIgnoreCase) { ["Berlin Mitte Store"] = "store-berlin-mitte" };

    private static CanonicalOrder MapSample(string name) =>
        ShopifyOrderMapper.Map(JsonSerializer.Deserialize<ShopifyOrder>(Samples.Read("Shopify", name), ShopifyJson.Options)!, PickupLocations);

    [Fact]
    public void Map_WebOrder_MapsEveryFieldOfTheCanonicalOrder()
    {
        var order = MapSample("orders-create.json");

        Assert.Null(order.OrderId);
        Assert.Equal(Channels.Shopify, order.Channel);
        Assert.Equal("5923418800312", order.ChannelOrderId);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 12, 44, TimeSpan.Zero), order.PlacedAt);
        Assert.Equal(TimeSpan.Zero, order.PlacedAt!.Value.Offset);
        Assert.Equal("USD", order.Currency);
        Assert.Equal(new Customer { CustomerId = "7011223344556", Email = "ada.lovelace@example.com", Name = "Ada Lovelace" }, order.Customer);
        Assert.Equal(new Address
        {
            Name = "Ada Lovelace", Line1 = "1 Main St", Line2 = "Apt 4", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US",
        }, order.ShipTo);
        Assert.Equal(new Fulfillment { Method = FulfillmentMethods.Ship }, order.Fulfillment);
        Assert.Equal(
            [
                new OrderLine { LineId = "14655210012345", Sku = "SOCK-TRL-CHR-M", Quantity = 2, UnitPrice = 19.99m, Discount = 3.48m, Tax = 2.97m },
                new OrderLine { LineId = "14655210045678", Sku = "JKT-RAIN-NVY-L", Quantity = 1, UnitPrice = 74.99m, Discount = 6.52m, Tax = 5.69m },
            ],
            order.Lines);
        Assert.Equal(new Totals { Subtotal = 114.97m, Discount = 10.00m, Shipping = 7.00m, Tax = 8.66m, GrandTotal = 120.63m }, order.Totals);
        Assert.Equal(new Payment { Provider = "shopify_payments", Reference = "5923418800312", Status = PaymentStatuses.Captured }, order.Payment);
        Assert.Empty(CanonicalOrderValidator.Validate(order));
    }

    [Fact]
    public void Map_WebOrder_TotalsAgreeWithTheLines()
    {
        var order = MapSample("orders-create.json");

        var fromLines = order.Lines.Sum(line => line.UnitPrice * line.Quantity - line.Discount + line.Tax) + order.Totals!.Shipping;

        Assert.Equal(order.Totals.GrandTotal, fromLines);
    }

    [Fact]
    public void Map_LocalPickupOrder_IsAPickupAtTheMappedStore()
    {
        var order = MapSample("orders-create-pickup.json");

        Assert.Equal(new Fulfillment { Method = FulfillmentMethods.Pickup, PickupLocationId = "store-berlin-mitte" }, order.Fulfillment);
        Assert.Null(order.ShipTo);
        Assert.Equal(PaymentStatuses.Authorized, order.Payment!.Status);
        Assert.Equal("EUR", order.Currency);
        Assert.Equal(3, order.Lines.Count);
        Assert.Equal(0m, order.Totals!.Shipping);
        Assert.Empty(CanonicalOrderValidator.Validate(order));
    }

    [Fact]
    public void Map_WhenPickupLocationIsNotConfigured_Ships()
    {
        var payload = JsonSerializer.Deserialize<ShopifyOrder>(Samples.Read("Shopify", "orders-create-pickup.json"), ShopifyJson.Options)!;

        var order = ShopifyOrderMapper.Map(payload, new Dictionary<string, string>());

        Assert.Equal(FulfillmentMethods.Ship, order.Fulfillment.Method);
    }

    [Fact]
    public void Map_WhenALineHasNoSku_UsesAVariantSkuThatRetailWillHoldAsUnknown()
    {
        var payload = JsonSerializer.Deserialize<ShopifyOrder>(Samples.Read("Shopify", "orders-create.json"), ShopifyJson.Options)!;
        payload = payload with { LineItems = [payload.LineItems[0] with { Sku = "" }] };

        var order = ShopifyOrderMapper.Map(payload, PickupLocations);

        Assert.Equal("shopify-variant-44012345678901", Assert.Single(order.Lines).Sku);
    }

    [Theory]
    [InlineData("pending", PaymentStatuses.Pending)]
    [InlineData("authorized", PaymentStatuses.Authorized)]
    [InlineData("partially_paid", PaymentStatuses.Authorized)]
    [InlineData("paid", PaymentStatuses.Captured)]
    [InlineData("partially_refunded", PaymentStatuses.Captured)]
    [InlineData("refunded", PaymentStatuses.Captured)]
    [InlineData("voided", PaymentStatuses.Failed)]
    [InlineData("expired", PaymentStatuses.Failed)]
    [InlineData("something_new", null)]
    public void PaymentStatusOf_MapsShopifysFinancialStatus(string financialStatus, string? expected)
    {
        Assert.Equal(expected, ShopifyOrderMapper.PaymentStatusOf(financialStatus));
    }
}
