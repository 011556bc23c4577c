using System.Text;
using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;
using Retail.Messaging;

namespace Retail.Functions.Tests.EndToEnd;

/// <summary>What the end-to-end tests set up on the bridge's real grains: unique locations, SKUs and orders.</summary>
internal sealed class OrderWorld(EmbeddedBridge bridge)
{
    public IGrainFactory Grains => bridge.Grains;

    /// <summary>The exception grain that holds the record <paramref name="recordId"/>.</summary>
    public IExceptionGrain ExceptionOf(string recordId) => Grains.GetGrain<IExceptionGrain>(ExceptionKey.OfRecord(recordId)!);

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)].ToUpperInvariant();

    public IInventoryGrain Inventory(string sku, string locationId) => Grains.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId));

    public IOrderGrain Order(string orderId) => Grains.GetGrain<IOrderGrain>(orderId);

    /// <summary>A new warehouse holding <paramref name="onHand"/> of each SKU.</summary>
    public async Task<string> WarehouseAsync(int onHand, params string[] skus)
    {
        var locationId = Unique("dc").ToLowerInvariant();
        await Grains.GetGrain<ILocationRegistryGrain>(ILocationRegistryGrain.Key).UpsertAsync(new Location
        {
            LocationId = locationId,
            Name = locationId,
            Type = LocationType.Warehouse,
            Priority = 1,
        });
        foreach (var sku in skus)
        {
            await Inventory(sku, locationId).SetStockAsync(onHand, 0);
        }
        return locationId;
    }

    /// <summary>A captured web order for <paramref name="quantity"/> of <paramref name="sku"/>, waited for until Released.</summary>
    public async Task<string> ReleasedOrderAsync(string sku, int quantity)
    {
        var orderId = Unique("ord").ToLowerInvariant();
        var lines = new List<OrderLine> { new() { LineId = "1", Sku = sku, Quantity = quantity, UnitPrice = 20.00m, Discount = 0m, Tax = 1.60m * quantity } };
        var subtotal = 20.00m * quantity;
        var tax = 1.60m * quantity;
        await Order(orderId).SubmitAsync(new CanonicalOrder
        {
            OrderId = orderId,
            Channel = Channels.Web,
            ChannelOrderId = orderId,
            PlacedAt = DateTimeOffset.UtcNow,
            Currency = "USD",
            Customer = new Customer { CustomerId = "c-1", Email = "ada@example.com", Name = "Ada Lovelace" },
            ShipTo = new Address { Name = "Ada Lovelace", Line1 = "1 Main St", City = "Springfield", Region = "IL", PostalCode = "62701", Country = "US" },
            Fulfillment = new Fulfillment { Method = FulfillmentMethods.Ship },
            Lines = lines,
            Totals = new Totals { Subtotal = subtotal, Discount = 0m, Shipping = 5.00m, Tax = tax, GrandTotal = subtotal + 5.00m + tax },
            Payment = new Payment { Provider = "stripe", Reference = $"pi_{orderId}", Status = PaymentStatuses.Captured },
        });
        await StatusAsync(orderId, OrderStatus.Released);
        return orderId;
    }

    public async Task<OrderView> ViewAsync(string orderId) =>
        await Order(orderId).GetAsync() ?? throw new InvalidOperationException($"Order {orderId} does not exist.");

    /// <summary>Waits until the order reaches <paramref name="status"/> and returns its view.</summary>
    public async Task<OrderView> StatusAsync(string orderId, OrderStatus status)
    {
        await EmbeddedBridge.EventuallyAsync(async () => (await Order(orderId).GetAsync())?.Status == status, $"order {orderId} to be {status}");
        return await ViewAsync(orderId);
    }

    /// <summary>The open exception record of <paramref name="kind"/> about <paramref name="businessKey"/>, once raised.</summary>
    public async Task<ExceptionRecord> ExceptionAsync(string kind, string businessKey)
    {
        ExceptionRecord? found = null;
        await EmbeddedBridge.EventuallyAsync(async () =>
        {
            var records = await Grains.GetGrain<IExceptionGrain>(ExceptionKey.For(businessKey)).ListAsync();
            found = records.LastOrDefault(record => record.Kind == kind && record.Status == ExceptionStatus.Open);
            return found is not null;
        }, $"a {kind} exception about {businessKey}");
        return found!;
    }

    /// <summary>Sends an ERP message to erp-inbound through the bridge's transport, as the ERP does.</summary>
    public Task SendErpAsync(string messageType, string body, string? sessionId, string? messageId = null) =>
        bridge.Publisher.PublishAsync(Entities.ErpInbound, new TransportMessage
        {
            MessageId = messageId ?? Unique("erp"),
            SessionId = sessionId,
            ApplicationProperties = new Dictionary<string, string> { [MessageProperties.MessageType] = messageType },
            Body = Encoding.UTF8.GetBytes(body),
        });

    public Task SendErpAsync<T>(string messageType, T message, string? sessionId, string? messageId = null) =>
        SendErpAsync(messageType, JsonSerializer.Serialize(message, RetailJson.Options), sessionId, messageId);
}
