using System.Text.Json;
using System.Text.Json.Serialization;
using Retail.Contracts.Inventory;

namespace Retail.Grains.Inventory;

/// <summary>
/// A position's reservations in the stored JSON as one array per reservation, without property names or the key
/// (which is <c>orderId/lineId</c>): <c>[orderId, lineId, quantity, number, createdAt, orderedAt, expiresAt, held]</c>,
/// times as UTC ticks (null when absent). A hot position holds thousands of open reservations and every write of it
/// carries them all, so each is kept to about a third of its object form. Reads the object form too.
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
                // The object form: { "orderId/lineId": { "orderId": ..., ... } }.
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

        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            Expect(reader.TokenType, JsonTokenType.StartArray);
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
            reservations[new ReservationId(reservation.OrderId, reservation.LineId).ToString()] = reservation;
        }
        return reservations;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, InventoryReservation> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var reservation in value.Values)
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
        writer.WriteEndArray();
    }

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

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("The reservations end early.");

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
