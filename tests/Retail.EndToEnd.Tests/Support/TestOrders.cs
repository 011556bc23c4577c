using Retail.Contracts.Orders;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>A one-line canonical order with an unpaid Stripe payment, on a SKU of its own, for a test that needs an order to exist.</summary>
internal static class TestOrders
{
    public static CanonicalOrder OneLine(string prefix, string channel = Channels.Web)
    {
        var channelOrderId = prefix + "-" + Guid.NewGuid().ToString("N")[..12];
        return new CanonicalOrder
        {
            Channel = channel,
            ChannelOrderId = channelOrderId,
            PlacedAt = DateTimeOffset.UtcNow,
            Currency = "USD",
            Customer = new Customer { CustomerId = "c-" + prefix.ToLowerInvariant(), Email = prefix.ToLowerInvariant() + "@example.com", Name = prefix + " Test" },
            ShipTo = new Address { Name = prefix + " Test", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
            Lines = [new OrderLine { LineId = "1", Sku = prefix + "-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant(), Quantity = 1, UnitPrice = 10.00m, Tax = 0.80m }],
            Totals = new Totals { Subtotal = 10.00m, Shipping = 0, Tax = 0.80m, GrandTotal = 10.80m },
            Payment = new Payment { Provider = "stripe", Reference = "pi_" + channelOrderId, Status = PaymentStatuses.Pending },
        };
    }
}
