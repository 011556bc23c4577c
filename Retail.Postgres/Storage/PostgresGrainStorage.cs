using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Retail.Contracts.Outbox;
using Retail.Contracts.Projections;
using Retail.Contracts.Storage;
using Retail.Postgres.Operations;
using Retail.Postgres.Schema;

namespace Retail.Postgres.Storage;

/// <summary>
/// Grain state in <c>retail_grain_state</c>: one row per (service, state name, grain), the state as jsonb and a
/// version that is the etag. A write names the version it read; a row whose version differs is never
/// overwritten and the write throws <see cref="InconsistentStateException"/>. Clearing keeps the row with a
/// null state and a higher version, so a stale etag can never match a row created again later. A state that says it
/// holds undelivered effects (<see cref="IPendingEffects"/>) is flagged <c>outbox_pending</c> in the same statement, for
/// the outbox relay (<see cref="PostgresPendingOutboxIndex"/>). A state that owns listing rows (<see cref="IProjectedState"/>)
/// has them upserted by the same statement (<see cref="ListingTables"/>): the rows and the state commit together or not
/// at all, and a write refused for its etag writes no row; clearing the state deletes its rows. A state that keeps a
/// keyed collection in rows of its own (<see cref="IStateRows"/>) has the rows it changed upserted or deleted in
/// <c>retail_grain_row</c> by the same statement, under the same rule (<see cref="StateRowTable"/>); a read gives it
/// every stored row after its JSON, and clearing any state deletes its rows. Writes of every provider in the process go
/// through one <see cref="GrainStateWriteBatcher"/>: concurrent writes share a commit.
/// </summary>
internal sealed partial class PostgresGrainStorage(
    string name,
    NpgsqlDataSource dataSource,
    RetailSchema schema,
    PostgresGrainStorageOptions options,
    IOptions<ClusterOptions> clusterOptions,
    IActivatorProvider activators,
    GrainStateWriteBatcher writes,
    ILogger<PostgresGrainStorage> logger) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private const string SelectState = "SELECT state, version FROM retail_grain_state WHERE service_id = $1 AND state_name = $2 AND grain_id = $3";

    private readonly string serviceId = clusterOptions.Value.ServiceId;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(
            $"{nameof(PostgresGrainStorage)}-{name}",
            ServiceLifecycleStage.RuntimeStorageServices,
            cancellationToken => schema.EnsureCreatedAsync(cancellationToken));

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        long? version = null;
        string? json = null;
        var rows = new List<(string Key, string Value)>();
        // A state with rows is read with them in one statement, so both come from one snapshot.
        await using (var command = dataSource.CreateCommand(typeof(IStateRows).IsAssignableFrom(typeof(T)) ? StateRowTable.SelectWithState : SelectState))
        {
            AddKey(command.Parameters, stateName, grainId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (!await reader.IsDBNullAsync(1))
                {
                    version = reader.GetInt64(1);
                    json = await reader.IsDBNullAsync(0) ? null : reader.GetString(0);
                }
                else
                {
                    rows.Add((reader.GetString(2), reader.GetString(3)));
                }
            }
        }

        grainState.State = json is null ? CreateState<T>() : options.Serializer.Deserialize<T>(BinaryData.FromString(json));
        if (json is not null && grainState.State is IStateRows state)
        {
            foreach (var (key, value) in rows)
            {
                state.LoadRow(key, value);
            }
        }
        grainState.RecordExists = json is not null;
        grainState.ETag = version is { } stored ? FormatEtag(stored) : null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var json = options.Serializer.Serialize(grainState.State).ToString();
        var version = await StoreAsync(stateName, grainId, grainState.ETag, grainState.State, json);
        grainState.ETag = FormatEtag(version);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var version = await StoreAsync(stateName, grainId, grainState.ETag, grainState.State, json: null);
        grainState.ETag = FormatEtag(version);
        grainState.RecordExists = false;
        grainState.State = CreateState<T>();
    }

    /// <summary>Writes <paramref name="json"/> as the state, or clears the state when it is null, with the rows <paramref name="state"/> owns.</summary>
    private async Task<long> StoreAsync(string stateName, GrainId grainId, string? etag, object? state, string? json)
    {
        long? expected = etag is null ? null : ParseEtag(etag);
        var command = new NpgsqlBatchCommand();
        AddKey(command.Parameters, stateName, grainId);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.Type.ToString() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)json ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = json is not null && state is IPendingEffects { HasPendingEffects: true } });
        // $7 (typed, so it may go unused) is the expected version: the listing's and the state rows' parameters start at $8.
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected ?? 0 });
        var write = expected is null
            ? """
              INSERT INTO retail_grain_state (service_id, state_name, grain_id, grain_type, state, outbox_pending, version)
              VALUES ($1, $2, $3, $4, $5, $6, 1)
              ON CONFLICT DO NOTHING
              RETURNING version
              """
            : """
              UPDATE retail_grain_state SET state = $5, outbox_pending = $6, version = version + 1, updated_at = now()
              WHERE service_id = $1 AND state_name = $2 AND grain_id = $3 AND version = $7
              RETURNING version
              """;
        var clauses = json is null ? ClearClauses(state) : WriteClauses(state, command.Parameters);
        command.CommandText = clauses.Length == 0 ? write : $"WITH written AS ({write}){clauses}\nSELECT version FROM written";

        if (await writes.WriteAsync(command) is { } version)
        {
            return version;
        }

        var stored = await ReadVersionAsync(stateName, grainId);
        LogConflict(name, stateName, grainId.ToString(), etag, stored);
        throw new InconsistentStateException(
            $"The {stateName} state of {grainId} changed since it was read (held etag '{etag ?? "none"}', stored '{stored ?? "none"}'); it was not overwritten.",
            stored,
            etag);
    }

    /// <summary>The CTEs that write the listing rows and the changed rows of <paramref name="state"/>, empty when it has none.</summary>
    private static string WriteClauses(object? state, NpgsqlParameterCollection parameters)
    {
        var listing = state is IProjectedState projected && projected.ListingRows() is { Count: > 0 } listingRows
            ? ListingTables.WriteClauses(listingRows, parameters)
            : "";
        return state is IStateRows rows && rows.ChangedRows() is { Count: > 0 } changed
            ? listing + StateRowTable.WriteClauses(changed, parameters)
            : listing;
    }

    /// <summary>The CTEs that delete the state's rows, and the listing rows of a state that owns some.</summary>
    private static string ClearClauses(object? state) =>
        (state is IProjectedState ? ListingTables.ClearClauses() : "") + StateRowTable.ClearClause;

    private async Task<string?> ReadVersionAsync(string stateName, GrainId grainId)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT version FROM retail_grain_state WHERE service_id = $1 AND state_name = $2 AND grain_id = $3");
        AddKey(command.Parameters, stateName, grainId);
        return await command.ExecuteScalarAsync() is long version ? FormatEtag(version) : null;
    }

    private void AddKey(NpgsqlParameterCollection parameters, string stateName, GrainId grainId)
    {
        parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.ToString() });
    }

    private T CreateState<T>() => activators.GetActivator<T>().Create();

    private static string FormatEtag(long version) => version.ToString(CultureInfo.InvariantCulture);

    private static long ParseEtag(string etag) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw new InconsistentStateException($"'{etag}' is not an etag of the PostgreSQL grain storage.", null, etag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage {Provider}: write of {StateName} for {GrainId} rejected, held etag {HeldEtag}, stored {StoredEtag}")]
    private partial void LogConflict(string provider, string stateName, string grainId, string? heldEtag, string? storedEtag);
}
