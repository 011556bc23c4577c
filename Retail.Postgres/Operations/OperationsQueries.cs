using System.Globalization;
using System.Text;
using Npgsql;

namespace Retail.Postgres.Operations;

/// <summary>
/// Read queries for operations staff over the listing tables the grain storage writes with the order state
/// (<c>retail_order_listing</c>, <c>retail_return_listing</c>; <see cref="ListingTables"/>), never over the grains'
/// state. Exception records are listed by <see cref="PostgresExceptionProjection"/>. Orders page by keyset on
/// (receivedAt, orderId), so a page is as cheap at the end of the list as at its start.
/// </summary>
public sealed class OperationsQueries(NpgsqlDataSource dataSource, string serviceId, TimeProvider? timeProvider = null)
{
    /// <summary>The service id used when configuration names none.</summary>
    public const string DefaultServiceId = "retail";

    /// <summary>The largest page a caller may ask for.</summary>
    public const int MaxPageSize = 500;

    private const string ReceivedAt = "received_at";
    private const string OrderId = "order_id";

    private const string OrderColumns =
        """
        order_id, channel, channel_order_id, status, received_at, updated_at, released_at, posting_accepted_at,
        shipped_at, refund_pending_amount, hold_reason, grand_total
        """;

    private readonly TimeProvider clock = timeProvider ?? TimeProvider.System;

    /// <summary>Orders matching <paramref name="filter"/>, oldest received first, then by order id.</summary>
    /// <param name="filter">Status, channel and age criteria.</param>
    /// <param name="cursor">The <see cref="OrderPage.NextCursor"/> of the previous page; null for the first page.</param>
    /// <param name="pageSize">1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<OrderPage> ListOrdersAsync(OrderFilter filter, string? cursor = null, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        await using var command = dataSource.CreateCommand();
        var sql = new StringBuilder(
            $"""
             SELECT {OrderColumns}
             FROM retail_order_listing
             WHERE service_id = $1
             """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        if (filter.Status is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND status = {Add(command, filter.Status)}");
        }

        if (filter.Channel is not null)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND channel = {Add(command, filter.Channel)}");
        }

        if (filter.OlderThan is { } age)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND {ReceivedAt} < {Add(command, clock.GetUtcNow() - age)}");
        }

        if (cursor is not null)
        {
            var (afterReceivedAt, afterOrderId) = DecodeCursor(cursor);
            sql.Append(CultureInfo.InvariantCulture, $" AND ({ReceivedAt}, {OrderId}) > ({Add(command, afterReceivedAt)}, {Add(command, afterOrderId)})");
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY {ReceivedAt}, {OrderId} LIMIT {Add(command, pageSize + 1)}");
        command.CommandText = sql.ToString();

        var orders = await ReadOrdersAsync(command, cancellationToken);

        if (orders.Count <= pageSize)
        {
            return new OrderPage(orders, NextCursor: null);
        }

        orders.RemoveAt(pageSize);
        var last = orders[^1];
        return new OrderPage(orders, EncodeCursor(last.ReceivedAt, last.OrderId));
    }

    /// <summary>
    /// Every order received at or after <paramref name="since"/>, oldest first (the KPI look-back window). Not paged:
    /// the caller bounds the window.
    /// </summary>
    public async Task<IReadOnlyList<OrderSummaryRow>> ListOrdersReceivedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"""
             SELECT {OrderColumns}
             FROM retail_order_listing
             WHERE service_id = $1 AND {ReceivedAt} >= $2
             ORDER BY {ReceivedAt}, {OrderId}
             """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime() });
        return await ReadOrdersAsync(command, cancellationToken);
    }

    /// <summary>Orders received in [<paramref name="from"/>, <paramref name="to"/>), counted by status and channel.</summary>
    public async Task<IReadOnlyList<OrderCountRow>> CountOrdersAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        if (to < from)
        {
            throw new ArgumentException("The end of the period is before its start.", nameof(to));
        }

        await using var command = dataSource.CreateCommand(
            $"""
             SELECT status, channel, count(*)
             FROM retail_order_listing
             WHERE service_id = $1 AND {ReceivedAt} >= $2 AND {ReceivedAt} < $3
             GROUP BY 1, 2
             ORDER BY 1, 2
             """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime() });

        var counts = new List<OrderCountRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts.Add(new OrderCountRow(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetInt64(2)));
        }

        return counts;
    }

    /// <summary>Today's orders (midnight to midnight in <paramref name="timeZone"/>, UTC when null) by status and channel.</summary>
    public Task<IReadOnlyList<OrderCountRow>> CountOrdersTodayAsync(TimeZoneInfo? timeZone = null, CancellationToken cancellationToken = default)
    {
        var zone = timeZone ?? TimeZoneInfo.Utc;
        var localNow = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone);
        var midnight = localNow.Date;
        var start = new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
        var nextMidnight = midnight.AddDays(1);
        var end = new DateTimeOffset(nextMidnight, zone.GetUtcOffset(nextMidnight));
        return CountOrdersAsync(start, end, cancellationToken);
    }

    /// <summary>Every return authorised at or after <paramref name="since"/>, oldest first (the KPI look-back window).</summary>
    public async Task<IReadOnlyList<ReturnRow>> ListReturnsAuthorizedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT order_id, return_id, authorized_at, received_at, refunded_at
            FROM retail_return_listing
            WHERE service_id = $1 AND authorized_at >= $2
            ORDER BY authorized_at, order_id, return_id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since.ToUniversalTime() });
        var returns = new List<ReturnRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            returns.Add(new ReturnRow(
                reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), NullableTimestamp(reader, 3), NullableTimestamp(reader, 4)));
        }
        return returns;
    }

    private static async Task<List<OrderSummaryRow>> ReadOrdersAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var orders = new List<OrderSummaryRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            orders.Add(new OrderSummaryRow(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                NullableTimestamp(reader, 5),
                NullableTimestamp(reader, 6),
                NullableTimestamp(reader, 7),
                NullableTimestamp(reader, 8),
                reader.GetDecimal(9),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.GetDecimal(11)));
        }

        return orders;
    }

    private static DateTimeOffset? NullableTimestamp(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static string Add<T>(NpgsqlCommand command, T value)
    {
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
    }

    private static string EncodeCursor(DateTimeOffset receivedAt, string orderId)
    {
        var text = receivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) + "\n" + orderId;
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static (DateTimeOffset ReceivedAt, string OrderId) DecodeCursor(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            var separator = text.IndexOf('\n', StringComparison.Ordinal);
            if (separator > 0 && DateTimeOffset.TryParseExact(text[..separator], "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var receivedAt))
            {
                return (receivedAt.ToUniversalTime(), text[(separator + 1)..]);
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException("The cursor was not issued by this query.", nameof(cursor));
    }
}
