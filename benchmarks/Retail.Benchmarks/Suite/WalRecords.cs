using Npgsql;

namespace Retail.Benchmarks.Suite;

/// <summary>
/// Counts what the server wrote between two WAL positions (pg_walinspect): heap row writes (insert, update, delete, in
/// every table) and commits. Server-wide, so exact for a target: targets run one after the other.
/// </summary>
internal sealed class WalRecords(string connectionString)
{
    public async Task InstallAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_walinspect", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<(long RowWrites, long Commits)> CountAsync(long fromLsn, long toLsn, CancellationToken cancellationToken)
    {
        if (toLsn <= fromLsn)
        {
            return (0, 0);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(sum(count) FILTER (WHERE "resource_manager/record_type" ~ '^Heap2?/(INSERT|UPDATE|HOT_UPDATE|DELETE|MULTI_INSERT)'), 0)::bigint,
                   coalesce(sum(count) FILTER (WHERE "resource_manager/record_type" LIKE 'Transaction/COMMIT%'), 0)::bigint
            FROM pg_get_wal_stats('0/0'::pg_lsn + $1::numeric, '0/0'::pg_lsn + $2::numeric, true)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = fromLsn });
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = toLsn });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
