using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Orleans.Storage;
using Retail.Contracts;
using Retail.Contracts.Storage;

namespace Retail.Grains.Tests.Orders;

/// <summary>
/// Grain storage that keeps each state as the JSON the PostgreSQL storage would put in its jsonb column, with the
/// same optimistic concurrency (a version as etag), and counts every write per state name and grain. A state that
/// does not survive the JSON round trip fails here as it would in production. A state that keeps a keyed collection in
/// rows of its own (<see cref="IStateRows"/>) has them kept beside its JSON as the PostgreSQL storage keeps them: a
/// successful write applies its changed rows, a read loads every row after the JSON, a clear drops them. A write takes
/// <see cref="WriteLatency"/>, as a database commit would, so that writes which overlap are seen to overlap.
/// </summary>
public sealed class CountingGrainStorage : IGrainStorage
{
    public static readonly TimeSpan WriteLatency = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentDictionary<(string StateName, GrainId GrainId), StoredState> _rows = new();
    private readonly ConcurrentDictionary<(string StateName, string Key), int> _writes = new();

    /// <summary>Durable writes of <paramref name="stateName"/> for the grain whose key is <paramref name="key"/>.</summary>
    public int WritesOf(string stateName, string key) => _writes.GetValueOrDefault((stateName, key));

    /// <summary>Durable writes of every grain with state <paramref name="stateName"/>.</summary>
    public int WritesOf(string stateName) => _writes.Where(w => w.Key.StateName == stateName).Sum(w => w.Value);

    /// <summary>The stored JSON of one grain's state, or null when it was never written.</summary>
    public string? JsonOf(string stateName, string key) =>
        _rows.FirstOrDefault(r => r.Key.StateName == stateName && r.Key.GrainId.Key.ToString() == key).Value?.Json;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_rows.TryGetValue((stateName, grainId), out var row))
        {
            grainState.State = JsonSerializer.Deserialize<T>(row.Json, RetailJson.Options)!;
            if (grainState.State is IStateRows rows)
            {
                foreach (var (rowKey, value) in row.Rows)
                {
                    rows.LoadRow(rowKey, value);
                }
            }
            grainState.ETag = row.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var json = JsonSerializer.Serialize(grainState.State, RetailJson.Options);
        var changed = grainState.State is IStateRows rows ? rows.ChangedRows().ToList() : [];
        await Task.Delay(WriteLatency);
        var key = (stateName, grainId);
        var version = _rows.TryGetValue(key, out var row) ? row.Version : 0;
        if (grainState.ETag != (version == 0 ? null : version.ToString(CultureInfo.InvariantCulture)))
        {
            throw new InconsistentStateException($"The {stateName} state of {grainId} changed since it was read.", version.ToString(CultureInfo.InvariantCulture), grainState.ETag);
        }
        var stored = new StoredState(json, version + 1, Apply(row?.Rows ?? ImmutableDictionary<string, string>.Empty, changed));
        if (row is null ? !_rows.TryAdd(key, stored) : !_rows.TryUpdate(key, stored, row))
        {
            throw new InconsistentStateException($"The {stateName} state of {grainId} was written concurrently.", null, grainState.ETag);
        }
        _writes.AddOrUpdate((stateName, grainId.Key.ToString()!), 1, (_, count) => count + 1);
        grainState.ETag = (version + 1).ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _rows.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static ImmutableDictionary<string, string> Apply(ImmutableDictionary<string, string> rows, List<KeyValuePair<string, string?>> changed)
    {
        var builder = rows.ToBuilder();
        foreach (var (rowKey, value) in changed)
        {
            if (value is null)
            {
                builder.Remove(rowKey);
            }
            else
            {
                builder[rowKey] = value;
            }
        }
        return builder.ToImmutable();
    }

    private sealed record StoredState(string Json, long Version, ImmutableDictionary<string, string> Rows);
}
