using System.Text.Json;
using Retail.Contracts;
using Retail.Grains.Inventory;

namespace Retail.Grains.Tests.Inventory;

public sealed class InventoryStateTests
{
    [Fact]
    public void Json_RoundTrip_KeepsEveryStoredValue()
    {
        var createdAt = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var state = new InventoryState
        {
            Sku = "SKU-1",
            LocationId = "wh-1",
            OnHand = 10,
            SafetyStock = 2,
            LastSnapshotAsOf = createdAt,
            Known = true,
            ReservationCounter = 2,
        };
        state.Reservations["o1/1"] = new InventoryReservation { OrderId = "o1", LineId = "1", Quantity = 3, CreatedAt = createdAt, ExpiresAt = createdAt.AddMinutes(15), Number = 1 };
        state.Reservations["o2/1"] = new InventoryReservation { OrderId = "o2", LineId = "1", Quantity = 1, CreatedAt = createdAt, Number = 2 };
        state.AppliedOperations["fulfil:ship-1"] = createdAt;

        var json = JsonSerializer.Serialize(state, RetailJson.Options);
        var read = JsonSerializer.Deserialize<InventoryState>(json, RetailJson.Options)!;

        Assert.Equal((state.Sku, state.LocationId, state.OnHand, state.SafetyStock, state.LastSnapshotAsOf, state.Known, state.ReservationCounter),
            (read.Sku, read.LocationId, read.OnHand, read.SafetyStock, read.LastSnapshotAsOf, read.Known, read.ReservationCounter));
        Assert.Equal((4, 4), (read.Reserved, read.Available));
        Assert.Equal(createdAt.AddMinutes(15), read.Reservations["o1/1"].ExpiresAt);
        Assert.Null(read.Reservations["o2/1"].ExpiresAt);
        Assert.Equal(createdAt, read.AppliedOperations["fulfil:ship-1"]);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(4, document.RootElement.GetProperty("reserved").GetInt32());
    }
}
