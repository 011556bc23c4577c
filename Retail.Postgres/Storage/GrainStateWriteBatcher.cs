using Npgsql;

namespace Retail.Postgres.Storage;

/// <summary>
/// Sends the grain-state writes of one process to PostgreSQL in batches: while one batch is in flight, the writes that
/// arrive wait, and the next batch takes them all (up to <see cref="MaxBatchSize"/>) in one round trip and one
/// transaction, so that many grains' writes share one commit. A lone write goes out at once, as a batch of one.
/// </summary>
/// <remarks>
/// Each write is one statement that answers the row's new version, or nothing when the row's version was not the one
/// expected (a conflict is an answer, not an error, so it does not abort the others). A statement that fails rolls the
/// whole batch back; the batch is then run again one write at a time, so that only the failing write fails.
/// </remarks>
internal sealed class GrainStateWriteBatcher(NpgsqlDataSource dataSource)
{
    /// <summary>The most writes one batch carries.</summary>
    public const int MaxBatchSize = 100;

    private readonly Lock _lock = new();
    private readonly Queue<Write> _waiting = new();
    private bool _sending;

    /// <summary>Runs <paramref name="statement"/> in the next batch; answers the version it returned, or null for no row.</summary>
    public Task<long?> WriteAsync(NpgsqlBatchCommand statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var write = new Write(statement);
        bool start;
        lock (_lock)
        {
            _waiting.Enqueue(write);
            start = !_sending;
            _sending = true;
        }
        if (start)
        {
            // Off the caller's scheduler (a grain's): the sending loop belongs to no activation.
            _ = Task.Run(SendAllAsync);
        }
        return write.Completion.Task;
    }

    private async Task SendAllAsync()
    {
        while (true)
        {
            var batch = new List<Write>();
            lock (_lock)
            {
                while (batch.Count < MaxBatchSize && _waiting.TryDequeue(out var write))
                {
                    batch.Add(write);
                }
                if (batch.Count == 0)
                {
                    _sending = false;
                    return;
                }
            }
            await SendAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(List<Write> batch)
    {
        try
        {
            var versions = await ExecuteAsync(batch).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.TrySetResult(versions[i]);
            }
        }
        catch (Exception failure) when (batch.Count > 1 && failure is not OutOfMemoryException)
        {
            foreach (var write in batch)
            {
                // A statement belongs to the batch it was added to: the retry alone sends a copy.
                await SendAsync([write.Detached()]).ConfigureAwait(false);
            }
        }
        catch (Exception failure)
        {
            batch[0].Completion.TrySetException(failure);
        }
    }

    private async Task<long?[]> ExecuteAsync(List<Write> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var command = new NpgsqlBatch(connection);
        foreach (var write in batch)
        {
            command.BatchCommands.Add(write.Statement);
        }
        var versions = new long?[batch.Count];
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        for (var i = 0; i < batch.Count; i++)
        {
            if (i > 0)
            {
                await reader.NextResultAsync().ConfigureAwait(false);
            }
            versions[i] = await reader.ReadAsync().ConfigureAwait(false) ? reader.GetInt64(0) : null;
        }
        return versions;
    }

    private sealed class Write(NpgsqlBatchCommand statement, TaskCompletionSource<long?>? completion = null)
    {
        public NpgsqlBatchCommand Statement { get; } = statement;

        public TaskCompletionSource<long?> Completion { get; } = completion ?? new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The same write with a fresh copy of its statement, answering the same caller.</summary>
        public Write Detached()
        {
            var copy = new NpgsqlBatchCommand(Statement.CommandText);
            foreach (NpgsqlParameter parameter in Statement.Parameters)
            {
                copy.Parameters.Add(parameter.Clone());
            }
            return new Write(copy, Completion);
        }
    }
}
