using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Retail.Contracts;
using Retail.Grains.Inventory;

namespace Retail.Grains.Tests.Inventory;

public sealed class InventoryStateTests
{
    private static readonly DateTimeOffset CreatedAt = new DateTimeOffset(2026, 11, 23, 10, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);

    [Fact]
    public void Stored_JsonAndRowsRoundTrip_KeepEveryStoredValue()
    {
        var state = new InventoryState
        {
            Sku = "SKU-1",
            LocationId = "wh-1",
            OnHand = 10,
            SafetyStock = 2,
            LastSnapshotAsOf = CreatedAt,
            Known = true,
            ReservationCounter = 2,
        };
        var first = new InventoryReservation { OrderId = "o1", LineId = "1", Quantity = 3, CreatedAt = CreatedAt, ExpiresAt = CreatedAt.AddMinutes(15), Number = 1, OrderedAt = CreatedAt.AddSeconds(-1) };
        var second = new InventoryReservation { OrderId = "o/2", LineId = "2", Quantity = 1, CreatedAt = CreatedAt.ToOffset(TimeSpan.FromHours(2)), Number = 2, Held = true };
        state.Reservations.Put("o1/1", first);
        state.Reservations.Put("o/2/2", second);
        state.AppliedOperations["fulfil:ship-1"] = CreatedAt;

        var read = RoundTrip(state);

        Assert.Equal((state.Sku, state.LocationId, state.OnHand, state.SafetyStock, state.LastSnapshotAsOf, state.Known, state.ReservationCounter),
            (read.Sku, read.LocationId, read.OnHand, read.SafetyStock, read.LastSnapshotAsOf, read.Known, read.ReservationCounter));
        Assert.Equal((4, 4), (read.Reserved, read.Available));
        Assert.Equal(["o/2/2", "o1/1"], read.Reservations.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(first, read.Reservations["o1/1"]);
        Assert.Equal(second, read.Reservations["o/2/2"]);
        Assert.Equal(CreatedAt, read.AppliedOperations["fulfil:ship-1"]);
        Assert.Empty(read.ChangedRows());
        Assert.Equal(CreatedAt.AddMinutes(15), read.Reservations.NextExpiry);
    }

    [Fact]
    public void Json_ManyReservations_LeavesThemToTheRowsAndKeepsTheReservedTotal()
    {
        var state = new InventoryState { Sku = "SKU-1", LocationId = "wh-1", OnHand = 1_000_000 };
        var empty = JsonSerializer.SerializeToUtf8Bytes(state, RetailJson.Options).Length;
        for (var i = 0; i < 1000; i++)
        {
            var orderId = $"web-{i:D6}";
            state.Reservations.Put($"{orderId}/1", new InventoryReservation { OrderId = orderId, LineId = "1", Quantity = 1, CreatedAt = CreatedAt.AddMilliseconds(i), Number = i + 1 });
        }

        var json = JsonSerializer.Serialize(state, RetailJson.Options);

        using var document = JsonDocument.Parse(json);
        Assert.False(document.RootElement.TryGetProperty("reservations", out _));
        Assert.Equal(1000, document.RootElement.GetProperty("reserved").GetInt32());
        Assert.InRange(json.Length, empty, empty + 8);
        Assert.Equal(1000, state.ChangedRows().Count);
    }

    [Theory]
    [InlineData("""[["o1","1",3,1,638680104000000000,null,null,true]]""")]
    [InlineData("""{"o1/1":{"orderId":"o1","lineId":"1","quantity":3,"createdAt":"2026-11-23T10:00:00+00:00","expiresAt":null,"number":1,"held":true,"orderedAt":null}}""")]
    public void Json_ReservationsStoredInTheState_AreReadAndBecomeRowsWithTheNextWrite(string reservations)
    {
        var stored = $$"""{"sku":"SKU-1","locationId":"wh-1","onHand":10,"reservations":{{reservations}}}""";

        var read = JsonSerializer.Deserialize<InventoryState>(stored, RetailJson.Options)!;

        var reservation = read.Reservations["o1/1"];
        Assert.Equal(("o1", 3, true), (reservation.OrderId, reservation.Quantity, reservation.Held));
        Assert.Equal(7, read.Available);
        var row = Assert.Single(read.ChangedRows());
        Assert.Equal("o1/1", row.Key);
        Assert.Equal(reservation, CompactReservation.FromJson(row.Value!));
        Assert.DoesNotContain("\"reservations\"", JsonSerializer.Serialize(read, RetailJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public void ChangedRows_AfterACopyWasStored_HoldOnlyWhatChangedSinceTheCopy()
    {
        var copier = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<DeepCopier<InventoryState>>();
        var state = new InventoryState { Sku = "SKU-1", LocationId = "wh-1", OnHand = 100 };
        state.Reservations.Put("a/1", Reservation("a", 2));
        state.Reservations.Put("b/1", Reservation("b", 3));
        var written = copier.Copy(state);

        state.Reservations.Put("b/1", Reservation("b", 1));
        state.Reservations.Put("c/1", Reservation("c", 4));
        state.Reservations.Remove("a/1");
        state.Reservations.MarkStored(written.Reservations);

        Assert.Equal(["a/1", "b/1"], written.ChangedRows().Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.Equal(5, written.Reserved);
        var changed = state.ChangedRows().ToDictionary(r => r.Key, r => r.Value);
        Assert.Equal(["a/1", "b/1", "c/1"], changed.Keys.Order(StringComparer.Ordinal));
        Assert.Null(changed["a/1"]);
        Assert.Equal(1, CompactReservation.FromJson(changed["b/1"]!).Quantity);
        Assert.Equal(5, state.Reserved);
    }

    [Fact]
    public void Book_ReservationsChange_KeepsTheTotalTheEarliestExpiryAndTheHolderChecksInStep()
    {
        var book = new ReservationBook();
        book.Put("a/1", Reservation("a", 2) with { ExpiresAt = CreatedAt.AddMinutes(5), Held = true });
        book.Put("b/1", Reservation("b", 3) with { ExpiresAt = CreatedAt.AddMinutes(10), Held = true });
        book.Put("c/1", Reservation("c", 4));
        Assert.Equal((9, CreatedAt.AddMinutes(5), true), (book.Reserved, book.NextExpiry, book.AnyAwaitsHolderCheck));

        Assert.Empty(book.TakeExpired(CreatedAt.AddMinutes(4)));
        var expired = Assert.Single(book.TakeExpired(CreatedAt.AddMinutes(5)));
        Assert.Equal("a/1", expired.Key);
        Assert.Equal((7, CreatedAt.AddMinutes(10)), (book.Reserved, book.NextExpiry));

        book.Put("c/1", book["c/1"] with { Held = true });
        book.Remove("b/1");
        Assert.Equal((4, null, false), (book.Reserved, book.NextExpiry, book.AnyAwaitsHolderCheck));
        Assert.False(book.Remove("b/1"));
    }

    private static InventoryReservation Reservation(string orderId, int quantity) =>
        new() { OrderId = orderId, LineId = "1", Quantity = quantity, CreatedAt = CreatedAt };

    /// <summary>The state as a storage with rows keeps it: its JSON, and a row per changed reservation.</summary>
    private static InventoryState RoundTrip(InventoryState state)
    {
        var json = JsonSerializer.Serialize(state, RetailJson.Options);
        var rows = state.ChangedRows();
        var read = JsonSerializer.Deserialize<InventoryState>(json, RetailJson.Options)!;
        foreach (var (key, value) in rows)
        {
            read.LoadRow(key, value!);
        }
        return read;
    }
}
