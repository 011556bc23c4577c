using Npgsql;
using Orleans.Configuration;
using Microsoft.Extensions.Options;
using Retail.Contracts.Outbox;
using Retail.Postgres.Schema;

namespace Retail.Postgres.Storage;

/// <summary>
/// The outbox relay's index in the state rows themselves: <c>outbox_pending</c> is written with the state (see
/// <see cref="PostgresGrainStorage"/>), so nothing is written besides the change; marking a version delivered clears the
/// flag without changing the version (the etag), through the same batched commits as the state writes.
/// </summary>
internal sealed class PostgresPendingOutboxIndex(
    NpgsqlDataSource dataSource, RetailSchema schema, GrainStateWriteBatcher writes, IOptions<ClusterOptions> clusterOptions) : IPendingOutboxIndex
{
    private readonly string serviceId = clusterOptions.Value.ServiceId;

    /// <summary>Nothing to do: the write itself set the flag.</summary>
    public void Written(GrainId grainId, string? etag, bool pending)
    {
    }

    public async Task MarkDeliveredAsync(GrainId grainId, string etag)
    {
        await schema.EnsureCreatedAsync();
        var command = new NpgsqlBatchCommand("""
            UPDATE retail_grain_state SET outbox_pending = false
            WHERE service_id = $1 AND grain_id = $2 AND outbox_pending AND version = $3
            RETURNING version
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.ToString() });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture) });
        await writes.WriteAsync(command);
    }

    public async Task<bool> IsPendingAsync(GrainId grainId, string etag)
    {
        await schema.EnsureCreatedAsync();
        await using var command = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM retail_grain_state WHERE service_id = $1 AND grain_id = $2 AND outbox_pending AND version = $3)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.ToString() });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = long.Parse(etag, System.Globalization.CultureInfo.InvariantCulture) });
        return await command.ExecuteScalarAsync() is true;
    }

    public async Task<IReadOnlyList<GrainId>> ListPendingAsync(int limit, CancellationToken cancellationToken)
    {
        await schema.EnsureCreatedAsync(cancellationToken);
        await using var command = dataSource.CreateCommand(
            "SELECT grain_id FROM retail_grain_state WHERE service_id = $1 AND outbox_pending ORDER BY updated_at LIMIT $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var grains = new List<GrainId>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            grains.Add(GrainId.Parse(reader.GetString(0)));
        }
        return grains;
    }
}
