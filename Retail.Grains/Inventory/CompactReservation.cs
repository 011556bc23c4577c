using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Retail.Contracts.Inventory;

namespace Retail.Grains.Inventory;

/// <summary>
/// A reservation as stored: one JSON array without property names or the key (which is <c>orderId/lineId</c>),
/// <c>[orderId, lineId, quantity, number, createdAt, orderedAt, expiresAt, held]</c>, times as UTC ticks (null when
/// absent), about a third of its object form. Each is the value of its own row (<see cref="InventoryState.ChangedRows"/>).
/// </summary>
internal static class CompactReservation
{
    public static string ToJson(InventoryReservation reservation)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, reservation);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static InventoryReservation FromJson(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        var reservation = Read(ref reader, Next(ref reader));
        if (reader.Read())
        {
            throw new JsonException("A reservation row holds more than one reservation.");
        }
        return reservation;
    }

    public static void Write(Utf8JsonWriter writer, InventoryReservation reservation)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(reservation.OrderId);
        writer.WriteStringValue(reservation.LineId);
        writer.WriteNumberValue(reservation.Quantity);
        writer.WriteNumberValue(reservation.Number);
        writer.WriteNumberValue(reservation.CreatedAt.UtcTicks);
        WriteTime(writer, reservation.OrderedAt);
        WriteTime(writer, reservation.ExpiresAt);
        writer.WriteBooleanValue(reservation.Held);
        writer.WriteEndArray();
    }

    /// <summary>Reads one reservation whose first token (<paramref name="token"/>, a start of array) the reader is on.</summary>
    public static InventoryReservation Read(ref Utf8JsonReader reader, JsonTokenType token)
    {
        Expect(token, JsonTokenType.StartArray);
        var reservation = new InventoryReservation
        {
            OrderId = ReadString(ref reader),
            LineId = ReadString(ref reader),
            Quantity = ReadInt(ref reader),
            Number = ReadLong(ref reader),
            CreatedAt = ReadTime(ref reader) ?? throw new JsonException("A reservation has no creation time."),
            OrderedAt = ReadTime(ref reader),
            ExpiresAt = ReadTime(ref reader),
            Held = Next(ref reader) switch
            {
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                var other => throw new JsonException($"A reservation's held flag is true or false, not {other}."),
            },
        };
        Expect(Next(ref reader), JsonTokenType.EndArray);
        return reservation;
    }

    public static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("The reservations end early.");

    private static void WriteTime(Utf8JsonWriter writer, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            writer.WriteNumberValue(value.UtcTicks);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void Expect(JsonTokenType actual, JsonTokenType expected)
    {
        if (actual != expected)
        {
            throw new JsonException($"A reservation is malformed: {expected} expected, {actual} found.");
        }
    }

    private static string ReadString(ref Utf8JsonReader reader)
    {
        Expect(Next(ref reader), JsonTokenType.String);
        return reader.GetString()!;
    }

    private static int ReadInt(ref Utf8JsonReader reader)
    {
        Expect(Next(ref reader), JsonTokenType.Number);
        return reader.GetInt32();
    }

    private static long ReadLong(ref Utf8JsonReader reader)
    {
        Expect(Next(ref reader), JsonTokenType.Number);
        return reader.GetInt64();
    }

    private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader) => Next(ref reader) switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number => new DateTimeOffset(reader.GetInt64(), TimeSpan.Zero),
        var other => throw new JsonException($"A reservation's time is UTC ticks or null, not {other}."),
    };
}

/// <summary>
/// The reservations of a state stored before they had rows of their own: one array of compact reservations
/// (<see cref="CompactReservation"/>), or, older still, an object of reservation objects by key.
/// </summary>
internal sealed class CompactReservationsConverter : JsonConverter<Dictionary<string, InventoryReservation>>
{
    public override Dictionary<string, InventoryReservation> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var reservations = new Dictionary<string, InventoryReservation>(StringComparer.Ordinal);
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return reservations;
            case JsonTokenType.StartObject:
                foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, InventoryReservation>>(ref reader, options) ?? [])
                {
                    reservations[key] = value;
                }
                return reservations;
            case JsonTokenType.StartArray:
                break;
            default:
                throw new JsonException($"Reservations are an array or an object, not {reader.TokenType}.");
        }

        while (CompactReservation.Next(ref reader) is var token && token != JsonTokenType.EndArray)
        {
            var reservation = CompactReservation.Read(ref reader, token);
            reservations[new ReservationId(reservation.OrderId, reservation.LineId).ToString()] = reservation;
        }
        return reservations;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, InventoryReservation> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var reservation in value.Values)
        {
            CompactReservation.Write(writer, reservation);
        }
        writer.WriteEndArray();
    }
}
