using Npgsql;

namespace Retail.Benchmarks.Suite;

/// <summary>
/// Counts what the server wrote between two WAL positions (pg_walinspect): heap row writes (insert, update, delete, in
/// every table), commits, and the bytes of full-page images (the first change of a page after a checkpoint logs the
/// whole page). Server-wide, so exact for a target: targets run one after the other.
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

    public async Task<(long RowWrites, long Commits, long FullPageImageBytes)> CountAsync(long fromLsn, long toLsn, CancellationToken cancellationToken)
    {
        if (toLsn <= fromLsn)
        {
            return (0, 0, 0);
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await WhenFlushedAsync(connection, toLsn, cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT coalesce(sum(count) FILTER (WHERE "resource_manager/record_type" ~ '^Heap2?/(INSERT|UPDATE|HOT_UPDATE|DELETE|MULTI_INSERT)'), 0)::bigint,
                   coalesce(sum(count) FILTER (WHERE "resource_manager/record_type" LIKE 'Transaction/COMMIT%'), 0)::bigint,
                   coalesce(sum(fpi_size), 0)::bigint
            FROM pg_get_wal_stats('0/0'::pg_lsn + $1::numeric, '0/0'::pg_lsn + $2::numeric, true)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = fromLsn });
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = toLsn });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>
    /// Waits until the server has flushed its WAL up to <paramref name="lsn"/>: pg_walinspect reads flushed WAL only, and
    /// a position read with <c>pg_current_wal_lsn()</c> may be ahead of the flush (the WAL writer flushes asynchronous
    /// commits and hint-bit records within its delay, 200 ms by default).
    /// </summary>
    private static async Task WhenFlushedAsync(NpgsqlConnection connection, long lsn, CancellationToken cancellationToken)
    {
        await using var flushed = new NpgsqlCommand("SELECT pg_current_wal_flush_lsn() - '0/0'::pg_lsn >= $1::numeric", connection);
        flushed.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = lsn });
        while (await flushed.ExecuteScalarAsync(cancellationToken) is not true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }
}
