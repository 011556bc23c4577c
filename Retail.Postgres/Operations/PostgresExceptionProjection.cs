using System.Globalization;
using System.Text;
using Npgsql;
using Retail.Contracts.Exceptions;

namespace Retail.Postgres.Operations;

/// <summary>
/// The exception listing in <c>retail_exception_record</c> (migrations 0004 and 0006), one row per record of the service,
/// written by the grain storage with the exception grains' state (<see cref="ListingTables"/>).
/// </summary>
public sealed class PostgresExceptionProjection(NpgsqlDataSource dataSource, string serviceId) : IExceptionProjection
{
    private const string Columns = "id, kind, business_key, reason, attempts, created_at, updated_at, status, resolution, correlation_id, root, manual_touches";

    public async Task<IReadOnlyList<ExceptionRecord>> ListAsync(ExceptionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var command = dataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {Columns} FROM retail_exception_record r WHERE service_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        if (query.Status is { } status)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND status = {Add(command, status.ToString())}");
        }
        if (query.Kind is { } kind)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND kind = {Add(command, kind)}");
        }
        if (query.Root is { } root)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND root = {Add(command, root)}");
        }
        if (query.CreatedFrom is { } from)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND created_at >= {Add(command, from.ToUniversalTime())}");
        }
        if (query.After is { } after)
        {
            var id = Add(command, after);
            sql.Append(CultureInfo.InvariantCulture,
                $" AND (created_at, id) > (SELECT created_at, id FROM retail_exception_record WHERE service_id = $1 AND id = {id})");
        }
        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY created_at, id LIMIT {Add(command, query.Limit)}");
        command.CommandText = sql.ToString();

        var records = new List<ExceptionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new ExceptionRecord
            {
                Id = reader.GetString(0),
                Kind = reader.GetString(1),
                BusinessKey = reader.GetString(2),
                Reason = reader.GetString(3),
                Attempts = reader.GetInt32(4),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(5),
                UpdatedAt = reader.GetFieldValue<DateTimeOffset>(6),
                Status = Enum.Parse<ExceptionStatus>(reader.GetString(7)),
                Resolution = reader.IsDBNull(8) ? null : reader.GetString(8),
                CorrelationId = reader.IsDBNull(9) ? null : reader.GetString(9),
                Root = reader.GetString(10),
                ManualTouches = reader.GetInt32(11),
            });
        }
        return records;
    }

    public async Task<IReadOnlyList<ExceptionGroup>> GroupsAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT kind, root, count(*)::integer, min(created_at), max(created_at)
            FROM retail_exception_record
            WHERE service_id = $1 AND status = 'Open'
            GROUP BY kind, root
            ORDER BY count(*) DESC, min(created_at), kind, root
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        var groups = new List<ExceptionGroup>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new ExceptionGroup
            {
                Kind = reader.GetString(0),
                Root = reader.GetString(1),
                Count = reader.GetInt32(2),
                OldestCreatedAt = reader.GetFieldValue<DateTimeOffset>(3),
                NewestCreatedAt = reader.GetFieldValue<DateTimeOffset>(4),
            });
        }
        return groups;
    }

    private static string Add<T>(NpgsqlCommand command, T value)
    {
        command.Parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        return "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
    }
}
