using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

/// <summary>Builds the world an order scenario needs: unique locations, stock, canonical orders; and waits for outcomes.</summary>
internal sealed class OrderScenario(IGrainFactory grains)
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    public IGrainFactory Grains { get; } = grains;

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public async Task<string> LocationAsync(string prefix, LocationType type, int priority)
    {
        var id = NewId(prefix);
        await Grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).UpsertAsync(new Location
        {
            LocationId = id,
            Name = prefix,
            Type = type,
            Priority = priority,
        });
        return id;
    }

    public Task<InventoryPosition> StockAsync(string sku, string locationId, int onHand, int safetyStock = 0) =>
        Inventory(sku, locationId).SetStockAsync(onHand, safetyStock);

    public IInventoryGrain Inventory(string sku, string locationId) => Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId));

    public IOrderGrain Order(string orderId) => Grains.GetGrain<IOrderGrain>(orderId);

    /// <summary>The exception grain that holds the record <paramref name="recordId"/>.</summary>
    public IExceptionGrain ExceptionOf(string recordId) => Grains.GetGrain<IExceptionGrain>(ExceptionKey.OfRecord(recordId)!);

    /// <summary>Submits <paramref name="order"/> under a new order id, as the API does.</summary>
    public async Task<(string OrderId, IntakeResult Result)> SubmitAsync(CanonicalOrder order)
    {
        var orderId = order.OrderId ?? NewId("ord");
        var result = await Order(orderId).SubmitAsync(order with { OrderId = orderId });
        return (orderId, result);
    }

    public async Task<OrderView> ViewAsync(string orderId) =>
        await Order(orderId).GetAsync() ?? throw new InvalidOperationException($"Order {orderId} does not exist.");

    /// <summary>A valid canonical order whose totals agree with its lines (shipping 5.00).</summary>
    public static CanonicalOrder Canonical(IEnumerable<(string LineId, string Sku, int Quantity)> lines, string payment = PaymentStatuses.Captured, string? pickupLocationId = null)
    {
        var orderLines = lines.Select(l => new OrderLine { LineId = l.LineId, Sku = l.Sku, Quantity = l.Quantity, UnitPrice = 10.00m, Discount = 1.00m, Tax = 0.80m * l.Quantity }).ToList();
        var subtotal = orderLines.Sum(l => l.Quantity * l.UnitPrice);
        var discount = orderLines.Sum(l => l.Discount);
        var tax = orderLines.Sum(l => l.Tax);
        return new CanonicalOrder
        {
            Channel = Channels.Web,
            ChannelOrderId = NewId("web"),
            PlacedAt = DateTimeOffset.UtcNow,
            Currency = "USD",
            Customer = new Customer { CustomerId = "c-1", Email = "ada@example.com", Name = "Ada" },
            ShipTo = new Address { Name = "Ada", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
            Fulfillment = pickupLocationId is null
                ? new Fulfillment { Method = FulfillmentMethods.Ship }
                : new Fulfillment { Method = FulfillmentMethods.Pickup, PickupLocationId = pickupLocationId },
            Lines = orderLines,
            Totals = new Totals { Subtotal = subtotal, Discount = discount, Shipping = 5.00m, Tax = tax, GrandTotal = subtotal - discount + 5.00m + tax },
            Payment = new Payment { Provider = "stripe", Reference = NewId("pi"), Status = payment },
        };
    }

    public static CanonicalOrder Canonical(params (string LineId, string Sku, int Quantity)[] lines) => Canonical(lines, PaymentStatuses.Captured);

    /// <summary>The order's events on retail-events, in publish order.</summary>
    public static List<RetailEvent> EventsOf(string orderId) =>
        ClusterFixture.Published.For(Entities.RetailEvents, orderId).Select(m => RetailEvent.Parse(RecordingPublisher.BodyOf(m))).ToList();

    /// <summary>The order's messages to the ERP, in publish order.</summary>
    public static List<(string Type, string Body)> ErpMessagesOf(string orderId) =>
        ClusterFixture.Published.For(Entities.ErpOutbound, orderId).Select(m => (m.Subject ?? "", RecordingPublisher.BodyOf(m))).ToList();

    public async Task<IReadOnlyList<ExceptionRecord>> ExceptionsOfAsync(string businessKey, ExceptionStatus? status = ExceptionStatus.Open)
    {
        var records = await Grains.GetGrain<IExceptionGrain>(ExceptionKey.For(businessKey)).ListAsync();
        return [.. records.Where(r => status is null || r.Status == status)];
    }

    /// <summary>Polls until <paramref name="done"/> holds (generous limit for a loaded machine); answers the last value.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(100);
        }
    }
}
