using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Retail.Contracts.Projections;

namespace Retail.Postgres.Operations;

/// <summary>
/// The tables of the operations read model (migration 0006) and how a listing row becomes one of their rows. The grain
/// storage adds <see cref="WriteClauses"/> to the statement that writes a state, so the rows commit or roll back with it.
/// </summary>
internal static class ListingTables
{
    private static readonly ListingTable[] Tables =
    [
        new ListingTable(typeof(OrderListing), "retail_order_listing", OrderListing.Version, ["order_id"],
        [
            new("order_id", "text", row => Order(row).OrderId),
            new("channel", "text", row => Order(row).Channel),
            new("channel_order_id", "text", row => Order(row).ChannelOrderId),
            new("status", "text", row => Order(row).Status.ToString()),
            new("received_at", "timestamptz", row => Order(row).ReceivedAt),
            new("updated_at", "timestamptz", row => Order(row).UpdatedAt),
            new("released_at", "timestamptz", row => Order(row).ReleasedAt),
            new("posting_accepted_at", "timestamptz", row => Order(row).PostingAcceptedAt),
            new("shipped_at", "timestamptz", row => Order(row).ShippedAt),
            new("refund_pending_amount", "numeric", row => Order(row).RefundPendingAmount),
            new("hold_reason", "text", row => Order(row).HoldReason),
            new("grand_total", "numeric", row => Order(row).GrandTotal),
        ]),
        new ListingTable(typeof(ReturnListing), "retail_return_listing", ReturnListing.Version, ["order_id", "return_id"],
        [
            new("order_id", "text", row => ((ReturnListing)row).OrderId),
            new("return_id", "text", row => ((ReturnListing)row).ReturnId),
            new("authorized_at", "timestamptz", row => ((ReturnListing)row).AuthorizedAt),
            new("received_at", "timestamptz", row => ((ReturnListing)row).ReceivedAt),
            new("refunded_at", "timestamptz", row => ((ReturnListing)row).RefundedAt),
        ]),
        new ListingTable(typeof(ExceptionListing), "retail_exception_record", ExceptionListing.Version, ["id"],
        [
            new("id", "text", row => Exception(row).Id),
            new("kind", "text", row => Exception(row).Kind),
            new("business_key", "text", row => Exception(row).BusinessKey),
            new("reason", "text", row => Exception(row).Reason),
            new("attempts", "integer", row => Exception(row).Attempts),
            new("created_at", "timestamptz", row => Exception(row).CreatedAt),
            new("updated_at", "timestamptz", row => Exception(row).UpdatedAt),
            new("status", "text", row => Exception(row).Status.ToString()),
            new("resolution", "text", row => Exception(row).Resolution),
            new("correlation_id", "text", row => Exception(row).CorrelationId),
            new("root", "text", row => Exception(row).Root),
            new("manual_touches", "integer", row => Exception(row).ManualTouches),
        ]),
    ];

    /// <summary>
    /// The common table expressions that upsert <paramref name="rows"/> (one parameter per table, added to
    /// <paramref name="parameters"/>) for each row of <c>written</c>, the CTE of the state write: no state written, no row.
    /// Parameters $1 and $3 are the service id and the grain id.
    /// </summary>
    public static string WriteClauses(IReadOnlyList<IListingRow> rows, NpgsqlParameterCollection parameters)
    {
        var sql = new StringBuilder();
        var index = 0;
        foreach (var group in rows.GroupBy(row => row.GetType()))
        {
            var table = Tables.FirstOrDefault(t => t.RowType == group.Key)
                ?? throw new InvalidOperationException($"No listing table holds rows of type {group.Key.Name}.");
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = table.ToJson(group) });
            var parameter = "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            var columns = string.Join(", ", table.Columns.Select(c => c.Name));
            var types = string.Join(", ", table.Columns.Select(c => $"{c.Name} {c.SqlType}"));
            var updates = string.Join(", ", table.Columns.Where(c => !table.Key.Contains(c.Name)).Select(c => $"{c.Name} = EXCLUDED.{c.Name}")
                .Prepend("listing_version = EXCLUDED.listing_version").Prepend("grain_id = EXCLUDED.grain_id"));
            sql.Append(CultureInfo.InvariantCulture, $"""
                , listing_{index++} AS (
                    INSERT INTO {table.Name} (service_id, grain_id, listing_version, {columns})
                    SELECT $1, $3, {table.Version}, {string.Join(", ", table.Columns.Select(c => "r." + c.Name))}
                    FROM written, jsonb_to_recordset({parameter}) AS r({types})
                    ON CONFLICT (service_id, {string.Join(", ", table.Key)}) DO UPDATE SET {updates})
                """);
        }
        return sql.ToString();
    }

    /// <summary>The CTEs that delete every listing row of the grain ($3) when <c>written</c> has a row (the state was cleared).</summary>
    public static string ClearClauses() =>
        string.Concat(Tables.Select((table, index) => $"""
            , cleared_{index} AS (DELETE FROM {table.Name} WHERE service_id = $1 AND grain_id = $3 AND EXISTS (SELECT 1 FROM written))
            """));

    private static Contracts.Orders.OrderSummary Order(IListingRow row) => ((OrderListing)row).Summary;

    private static Contracts.Exceptions.ExceptionRecord Exception(IListingRow row) => ((ExceptionListing)row).Record;

    private sealed record ListingColumn(string Name, string SqlType, Func<IListingRow, object?> Value);

    private sealed record ListingTable(Type RowType, string Name, int Version, string[] Key, ListingColumn[] Columns)
    {
        public string ToJson(IEnumerable<IListingRow> rows)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                // One row per key, the last declared: an upsert may not touch a row twice.
                foreach (var row in rows.GroupBy(row => string.Join('\n', Key.Select(k => Columns.First(c => c.Name == k).Value(row)))).Select(g => g.Last()))
                {
                    json.WriteStartObject();
                    foreach (var column in Columns)
                    {
                        json.WritePropertyName(column.Name);
                        Write(json, column.Value(row));
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static void Write(Utf8JsonWriter json, object? value)
        {
            switch (value)
            {
                case null:
                    json.WriteNullValue();
                    break;
                case string text:
                    json.WriteStringValue(text);
                    break;
                case DateTimeOffset time:
                    json.WriteStringValue(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                    break;
                case decimal number:
                    json.WriteNumberValue(number);
                    break;
                case int number:
                    json.WriteNumberValue(number);
                    break;
                default:
                    throw new InvalidOperationException($"A listing column cannot hold a {value.GetType().Name}.");
            }
        }
    }
}
