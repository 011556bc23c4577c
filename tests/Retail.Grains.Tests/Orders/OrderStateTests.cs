using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Orders;
using Retail.Grains.Orders;

namespace Retail.Grains.Tests.Orders;

public sealed class OrderStateTests
{
    [Fact]
    public void Json_HasTheSummaryFieldsAtTheTopLevelInCamelCase()
    {
        var state = new OrderState
        {
            OrderId = "o-1",
            Channel = Channels.Web,
            ChannelOrderId = "w-1",
            Status = OrderStatus.OnHold,
            ReceivedAt = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            UpdatedAt = DateTimeOffset.Parse("2026-11-23T10:05:00Z", System.Globalization.CultureInfo.InvariantCulture),
            RefundPendingAmount = 12.5m,
            HoldReason = "No payment.",
            GrandTotal = 48.18m,
        };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(state, RetailJson.Options));

        var root = json.RootElement;
        Assert.Equal("o-1", root.GetProperty("orderId").GetString());
        Assert.Equal("web", root.GetProperty("channel").GetString());
        Assert.Equal("w-1", root.GetProperty("channelOrderId").GetString());
        Assert.Equal("OnHold", root.GetProperty("status").GetString());
        Assert.Equal(state.ReceivedAt, root.GetProperty("receivedAt").GetDateTimeOffset());
        Assert.Equal(state.UpdatedAt, root.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(12.5m, root.GetProperty("refundPendingAmount").GetDecimal());
        Assert.Equal("No payment.", root.GetProperty("holdReason").GetString());
        Assert.Equal(48.18m, root.GetProperty("grandTotal").GetDecimal());
    }

    [Fact]
    public void Json_RoundTripsLinesAllocationsAndOutbox()
    {
        var state = new OrderState { OrderId = "o-1", Sourced = true };
        var line = new OrderLineState { LineId = "1", Sku = "A", Ordered = 3, Shipped = 1, UnitPrice = 9.99m };
        line.Allocations.Add(new AllocationState { LocationId = "wh-1", ReservationLineId = "1@wh-1", Quantity = 3, Shipped = 1 });
        state.Lines.Add(line);
        state.AppliedShipmentIds.Add("shp-1");
        state.OpenExceptions["Backordered"] = "waiting";
        state.Outbox.Sequence = 7;

        var copy = JsonSerializer.Deserialize<OrderState>(JsonSerializer.Serialize(state, RetailJson.Options), RetailJson.Options)!;

        var copied = Assert.Single(copy.Lines);
        Assert.Equal((3, 1, 2, 0), (copied.Ordered, copied.Shipped, copied.Reserved, copied.Backordered));
        Assert.Equal("1@wh-1", Assert.Single(copied.Allocations).ReservationLineId);
        Assert.Equal(["shp-1"], copy.AppliedShipmentIds);
        Assert.Equal("waiting", copy.OpenExceptions["Backordered"]);
        Assert.Equal(7, copy.Outbox.Sequence);
        Assert.True(copy.Sourced);
    }
}
