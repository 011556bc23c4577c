using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Retail.Benchmarks.Load;

namespace Retail.Benchmarks.Ceiling;

/// <summary>
/// The disk's limit for durable writes: N connections each committing single-row jsonb inserts as fast as they
/// can (autocommit, prepared). Nothing an order intake does durably can beat this per transaction.
/// </summary>
internal sealed class CommitCeiling(string connectionString)
{
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("CREATE TABLE IF NOT EXISTS ceiling (id bigserial PRIMARY KEY, body jsonb NOT NULL)");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<CeilingMeasurement> RunAsync(int concurrency, TimeSpan duration, byte[] body, CancellationToken cancellationToken)
    {
        var json = System.Text.Encoding.UTF8.GetString(body);
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = concurrency, MinPoolSize = 0 };
        await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        var latencies = new List<double>[concurrency];
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var insert = new NpgsqlCommand("INSERT INTO ceiling (body) VALUES ($1)", connection);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = json, NpgsqlDbType = NpgsqlDbType.Jsonb });
            await insert.PrepareAsync(cancellationToken);
            while (stopwatch.Elapsed < duration && !cancellationToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                await insert.ExecuteNonQueryAsync(cancellationToken);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        stopwatch.Stop();
        var all = latencies.SelectMany(l => l).ToList();
        return new CeilingMeasurement(concurrency, all.Count / stopwatch.Elapsed.TotalSeconds, LatencySummary.Of(all));
    }
}

internal sealed record CeilingMeasurement(int Concurrency, double CommitsPerSecond, LatencySummary Latency);
