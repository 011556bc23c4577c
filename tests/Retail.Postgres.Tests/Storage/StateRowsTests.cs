using System.Text.Json.Serialization;
using Npgsql;
using Orleans.Storage;
using Retail.Contracts.Storage;
using Retail.Postgres.Tests.Operations;

namespace Retail.Postgres.Tests.Storage;

/// <summary>A state that keeps its entries in rows of their own, as a stock position keeps its reservations.</summary>
public sealed class EntriesState : IStateRows
{
    private readonly Dictionary<string, string?> changed = new(StringComparer.Ordinal);

    public string Name { get; set; } = "";

    [JsonIgnore]
    public SortedDictionary<string, string> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>Sets the entry <paramref name="key"/> to <paramref name="value"/> (JSON), or removes it when null.</summary>
    public EntriesState Set(string key, string? value)
    {
        if (value is null)
        {
            Entries.Remove(key);
        }
        else
        {
            Entries[key] = value;
        }
        changed[key] = value;
        return this;
    }

    /// <summary>What the state's owner does once the write succeeded.</summary>
    public void Stored() => changed.Clear();

    public IReadOnlyCollection<KeyValuePair<string, string?>> ChangedRows() => [.. changed];

    public void LoadRow(string key, string value) => Entries[key] = value;
}

/// <summary>The rows of a state's keyed collection are written, read and cleared with the state, and only with it.</summary>
[Collection(SharedPostgres.Name)]
public sealed class StateRowsTests(PostgresFixture fixture)
{
    private readonly Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions> cluster = PostgresFixture.UniqueCluster();

    [Fact]
    public async Task WriteStateAsync_StateWithRows_StoresTheRowsThatReadStateAsyncLoadsAfterTheState()
    {
        var storage = new ListingStorage(fixture, cluster);
        var state = new EntriesState { Name = "position" }.Set("a", "[\"ord-1\", 3]").Set("b", "[\"ord-2\", 5]");

        await WriteAsync(storage, "rows", state);
        var read = await storage.ReadAsync<EntriesState>("rows");

        Assert.True(read.RecordExists);
        Assert.Equal("position", read.State.Name);
        Assert.Equal(state.Entries, read.State.Entries);
        Assert.False(await ScalarAsync<bool>("SELECT state ? 'entries' FROM retail_grain_state WHERE service_id = $1"));
        Assert.Equal(8L, await ScalarAsync<long>("SELECT sum((value ->> 1)::int)::bigint FROM retail_grain_row WHERE service_id = $1 AND state_name = 'listed'"));
    }

    [Fact]
    public async Task WriteStateAsync_ChangedAndRemovedRows_UpdatesAndDeletesOnlyThem()
    {
        var storage = new ListingStorage(fixture, cluster);
        var state = new EntriesState().Set("kept", "1").Set("changed", "2").Set("removed", "3");
        var written = await WriteAsync(storage, "rows", state);
        var keptVersion = await ScalarAsync<string>("SELECT xmin::text FROM retail_grain_row WHERE service_id = $1 AND row_key = 'kept'");

        await WriteAsync(storage, "rows", state.Set("changed", "20").Set("removed", null).Set("added", "4"), written);
        var read = await storage.ReadAsync<EntriesState>("rows");

        Assert.Equal(new SortedDictionary<string, string> { ["added"] = "4", ["changed"] = "20", ["kept"] = "1" }, read.State.Entries);
        // The row no change named was not rewritten: it is still the tuple of the first write's transaction.
        Assert.Equal(keptVersion, await ScalarAsync<string>("SELECT xmin::text FROM retail_grain_row WHERE service_id = $1 AND row_key = 'kept'"));
    }

    [Fact]
    public async Task WriteStateAsync_WithStaleEtag_WritesNoRowAndKeepsTheStoredRows()
    {
        var storage = new ListingStorage(fixture, cluster);
        var winner = new EntriesState().Set("a", "1");
        var written = await WriteAsync(storage, "rows", winner);
        var stale = written.Copy();
        await WriteAsync(storage, "rows", winner.Set("b", "2"), written);

        var loser = new EntriesState().Set("a", null).Set("c", "3");
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync("rows", loser, stale));

        var read = await storage.ReadAsync<EntriesState>("rows");
        Assert.Equal(new SortedDictionary<string, string> { ["a"] = "1", ["b"] = "2" }, read.State.Entries);
    }

    [Fact]
    public async Task ClearStateAsync_StateWithRows_DeletesItsRows()
    {
        var storage = new ListingStorage(fixture, cluster);
        var written = await WriteAsync(storage, "rows", new EntriesState().Set("a", "1").Set("b", "2"));

        await storage.ClearAsync("rows", written);
        var read = await storage.ReadAsync<EntriesState>("rows");

        Assert.False(read.RecordExists);
        Assert.Empty(read.State.Entries);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM retail_grain_row WHERE service_id = $1"));
    }

    [Fact]
    public async Task WriteStateAsync_ARowThePostgresRejectsAmongConcurrentWrites_FailsAloneAndTheOthersRowsAreStored()
    {
        var storage = new ListingStorage(fixture, cluster);
        var writes = Enumerable.Range(0, 30).Select(i => storage.WriteAsync($"grain-{i}", new EntriesState().Set("a", "1").Set("b", "2"))).ToList();
        // jsonb refuses the NUL character that JSON escapes as \u0000.
        var failure = storage.WriteAsync("poisoned", new EntriesState().Set("a", "\"nul\\u0000\""));

        await Task.WhenAll(writes);
        await Assert.ThrowsAsync<PostgresException>(() => failure);
        Assert.False((await storage.ReadAsync<EntriesState>("poisoned")).RecordExists);
        Assert.Equal(60L, await ScalarAsync<long>("SELECT count(*) FROM retail_grain_row WHERE service_id = $1"));
        Assert.Equal(2, (await storage.ReadAsync<EntriesState>("grain-29")).State.Entries.Count);
    }

    [Fact]
    public async Task WriteStateAsync_OneOrFiftyChangedRows_SendsOneStatementTextThatIsPreparedOnce()
    {
        // One connection, so that the statements it prepared are the ones its writes sent.
        var settings = new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString) { MaxPoolSize = 1, MaxAutoPrepare = 8, AutoPrepareMinUsages = 2 };
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        var storage = new ListingStorage(fixture, cluster, dataSource);
        var state = new EntriesState();
        var written = await WriteAsync(storage, "rows", state.Set("first", "0"));

        foreach (var count in new[] { 1, 50, 1, 50 })
        {
            foreach (var i in Enumerable.Range(0, count))
            {
                state.Set($"row-{i}", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            await WriteAsync(storage, "rows", state, written);
        }

        await using var prepared = dataSource.CreateCommand(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'WITH written AS (UPDATE%' AND statement LIKE '%retail_grain_row%'");
        Assert.Equal(1L, await prepared.ExecuteScalarAsync());
        Assert.Equal(51, (await storage.ReadAsync<EntriesState>("rows")).State.Entries.Count);
    }

    private static async Task<TestGrainState<EntriesState>> WriteAsync(
        ListingStorage storage, string grainKey, EntriesState state, TestGrainState<EntriesState>? previous = null)
    {
        var written = await storage.WriteAsync(grainKey, state, previous);
        state.Stored();
        return written;
    }

    private async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var command = fixture.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = cluster.Value.ServiceId });
        return (T?)await command.ExecuteScalarAsync();
    }
}
