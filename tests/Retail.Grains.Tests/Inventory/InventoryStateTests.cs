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

    [Fact]
    public void Json_Reservations_RoundTripEveryFieldInTheCompactForm()
    {
        var createdAt = new DateTimeOffset(2026, 11, 23, 10, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);
        var state = new InventoryState { Sku = "SKU-1", LocationId = "wh-1", OnHand = 10 };
        var first = new InventoryReservation { OrderId = "o1", LineId = "1", Quantity = 3, CreatedAt = createdAt, ExpiresAt = createdAt.AddMinutes(15), Number = 1, OrderedAt = createdAt.AddSeconds(-1) };
        var second = new InventoryReservation { OrderId = "o/2", LineId = "2", Quantity = 1, CreatedAt = createdAt.ToOffset(TimeSpan.FromHours(2)), Number = 2, Held = true };
        state.Reservations["o1/1"] = first;
        state.Reservations["o/2/2"] = second;

        var json = JsonSerializer.Serialize(state, RetailJson.Options);
        var read = JsonSerializer.Deserialize<InventoryState>(json, RetailJson.Options)!;

        Assert.Equal(["o/2/2", "o1/1"], read.Reservations.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, expected) in state.Reservations)
        {
            var actual = read.Reservations[key];
            Assert.Equal((expected.OrderId, expected.LineId, expected.Quantity, expected.Number, expected.CreatedAt, expected.OrderedAt, expected.ExpiresAt, expected.Held),
                (actual.OrderId, actual.LineId, actual.Quantity, actual.Number, actual.CreatedAt, actual.OrderedAt, actual.ExpiresAt, actual.Held));
        }
        using var document = JsonDocument.Parse(json);
        Assert.Equal(JsonValueKind.Array, document.RootElement.GetProperty("reservations").ValueKind);
    }

    [Fact]
    public void Json_ReservationsInTheObjectForm_AreRead()
    {
        const string Stored = """
            {"sku":"SKU-1","locationId":"wh-1","onHand":10,"reservations":{"o1/1":{"orderId":"o1","lineId":"1","quantity":3,"createdAt":"2026-11-23T10:00:00+00:00","expiresAt":null,"number":1,"held":true,"orderedAt":null}}}
            """;

        var read = JsonSerializer.Deserialize<InventoryState>(Stored, RetailJson.Options)!;

        var reservation = Assert.Single(read.Reservations).Value;
        Assert.Equal(("o1", 3, true), (reservation.OrderId, reservation.Quantity, reservation.Held));
        Assert.Equal(7, read.Available);
    }

    [Fact]
    public void Json_ManyReservations_TakeAboutAThirdOfTheObjectForm()
    {
        var createdAt = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var state = new InventoryState { Sku = "SKU-1", LocationId = "wh-1", OnHand = 1_000_000 };
        for (var i = 0; i < 1000; i++)
        {
            var orderId = $"web-{i:D6}";
            state.Reservations[$"{orderId}/1"] = new InventoryReservation
            {
                OrderId = orderId, LineId = "1", Quantity = 1, CreatedAt = createdAt.AddMilliseconds(i), OrderedAt = createdAt.AddMilliseconds(i - 5), Number = i + 1,
            };
        }

        var compact = JsonSerializer.SerializeToUtf8Bytes(state, RetailJson.Options).Length;
        var objects = JsonSerializer.SerializeToUtf8Bytes(state.Reservations.ToDictionary(r => r.Key, r => r.Value), RetailJson.Options).Length;

        Assert.True(compact * 2.5 < objects, $"{compact} bytes for the state, {objects} for its reservations as objects");
    }
}
