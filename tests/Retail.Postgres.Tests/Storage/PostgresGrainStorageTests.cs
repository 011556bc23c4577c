using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Retail.Postgres.Storage;

namespace Retail.Postgres.Tests.Storage;

[Collection(SharedPostgres.Name)]
public sealed class PostgresGrainStorageTests(PostgresFixture fixture)
{
    private static readonly IActivatorProvider Activators =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<IActivatorProvider>();

    private readonly IOptions<ClusterOptions> cluster = PostgresFixture.UniqueCluster();

    [Fact]
    public async Task ReadStateAsync_WhenNeverWritten_ReportsNoRecord()
    {
        var storage = CreateStorage();
        var state = NewState();

        await storage.ReadStateAsync("cart", NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.NotNull(state.State);
        Assert.Empty(state.State.Items);
    }

    [Fact]
    public async Task WriteStateAsync_ThenReadStateAsync_ReturnsTheStateStoredAsCamelCaseJsonb()
    {
        var storage = CreateStorage();
        var grainId = NewGrainId();
        var written = NewState();
        written.State = new CartState { Customer = "c-1", Items = ["sku-1", "sku-2"], Status = CartStatus.CheckedOut };

        await storage.WriteStateAsync("cart", grainId, written);
        var read = NewState();
        await storage.ReadStateAsync("cart", grainId, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.ETag, read.ETag);
        Assert.Equal("c-1", read.State.Customer);
        Assert.Equal(["sku-1", "sku-2"], read.State.Items);
        Assert.Equal(CartStatus.CheckedOut, read.State.Status);
        Assert.Equal("CheckedOut", await ScalarAsync<string>("SELECT state ->> 'status' FROM retail_grain_state WHERE service_id = $1 AND grain_id = $2", grainId));
        Assert.Equal("c-1", await ScalarAsync<string>("SELECT state ->> 'customer' FROM retail_grain_state WHERE service_id = $1 AND grain_id = $2", grainId));
    }

    [Fact]
    public async Task WriteStateAsync_WithStaleEtag_ThrowsAndKeepsTheStoredState()
    {
        var storage = CreateStorage();
        var grainId = NewGrainId();
        var first = NewState();
        await storage.WriteStateAsync("cart", grainId, first);
        var stale = first.Copy();
        first.State = new CartState { Customer = "winner" };
        await storage.WriteStateAsync("cart", grainId, first);

        stale.State = new CartState { Customer = "loser" };
        var exception = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("cart", grainId, stale));

        Assert.Equal(first.ETag, exception.StoredEtag);
        var read = NewState();
        await storage.ReadStateAsync("cart", grainId, read);
        Assert.Equal("winner", read.State.Customer);
    }

    [Fact]
    public async Task WriteStateAsync_FirstWriteWhenRowAlreadyExists_Throws()
    {
        var storage = CreateStorage();
        var grainId = NewGrainId();
        await storage.WriteStateAsync("cart", grainId, NewState("first"));

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("cart", grainId, NewState("second")));

        var read = NewState();
        await storage.ReadStateAsync("cart", grainId, read);
        Assert.Equal("first", read.State.Customer);
    }

    [Fact]
    public async Task WriteStateAsync_ConcurrentWritersWithTheSameEtag_ExactlyOneWins()
    {
        var storage = CreateStorage();
        var grainId = NewGrainId();
        var original = NewState();
        await storage.WriteStateAsync("cart", grainId, original);
        var writers = Enumerable.Range(0, 16).Select(i =>
        {
            var copy = original.Copy();
            copy.State = new CartState { Customer = $"writer-{i}" };
            return copy;
        }).ToList();

        var outcomes = await Task.WhenAll(writers.Select(async writer =>
        {
            try
            {
                await storage.WriteStateAsync("cart", grainId, writer);
                return writer.State.Customer;
            }
            catch (InconsistentStateException)
            {
                return null;
            }
        }));

        var winner = Assert.Single(outcomes, outcome => outcome is not null);
        var read = NewState();
        await storage.ReadStateAsync("cart", grainId, read);
        Assert.Equal(winner, read.State.Customer);
    }

    [Fact]
    public async Task WriteStateAsync_ManyConcurrentWrites_ShareCommitsAndEachIsStored()
    {
        var storage = CreateStorage();
        var writes = Enumerable.Range(0, 200).Select(i => (GrainId: NewGrainId(), State: NewState($"customer-{i}"))).ToList();

        await Task.WhenAll(writes.Select(w => storage.WriteStateAsync("cart", w.GrainId, w.State)));

        Assert.All(writes, w => Assert.Equal("1", w.State.ETag));
        foreach (var (grainId, written) in writes)
        {
            var read = NewState();
            await storage.ReadStateAsync("cart", grainId, read);
            Assert.Equal(written.State.Customer, read.State.Customer);
        }
        // Rows written by one transaction share its id (xmin): 200 writes went out in far fewer commits.
        await using var commits = fixture.DataSource.CreateCommand("SELECT count(DISTINCT xmin::text) FROM retail_grain_state WHERE service_id = $1");
        commits.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = cluster.Value.ServiceId });
        var transactions = (long)(await commits.ExecuteScalarAsync())!;
        Assert.InRange(transactions, 2, 100);
    }

    [Fact]
    public async Task WriteStateAsync_AWriteThePostgresRejectsAmongConcurrentWrites_FailsAloneAndTheOthersAreStored()
    {
        var storage = CreateStorage();
        var writes = Enumerable.Range(0, 50).Select(i => (GrainId: NewGrainId(), State: NewState($"customer-{i}"))).ToList();
        // jsonb refuses the NUL character that JSON escapes as \u0000.
        var rejected = (GrainId: NewGrainId(), State: NewState("nul\0"));

        var outcomes = writes.Select(w => storage.WriteStateAsync("cart", w.GrainId, w.State)).ToList();
        var failure = storage.WriteStateAsync("cart", rejected.GrainId, rejected.State);

        await Task.WhenAll(outcomes);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => failure);
        Assert.Null(rejected.State.ETag);
        var stored = NewState();
        await storage.ReadStateAsync("cart", rejected.GrainId, stored);
        Assert.False(stored.RecordExists);
        Assert.All(writes, w => Assert.Equal("1", w.State.ETag));
    }

    [Fact]
    public async Task ClearStateAsync_ThenReadStateAsync_ReportsNoRecordAndRejectsTheOldEtag()
    {
        var storage = CreateStorage();
        var grainId = NewGrainId();
        var state = NewState("to-clear");
        await storage.WriteStateAsync("cart", grainId, state);
        var beforeClear = state.Copy();

        await storage.ClearStateAsync("cart", grainId, state);
        var read = NewState();
        await storage.ReadStateAsync("cart", grainId, read);

        Assert.False(state.RecordExists);
        Assert.False(read.RecordExists);
        Assert.Null(read.State.Customer);
        Assert.Equal(state.ETag, read.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("cart", grainId, beforeClear));
        read.State = new CartState { Customer = "again" };
        await storage.WriteStateAsync("cart", grainId, read);
        Assert.True(read.RecordExists);
    }

    [Fact]
    public async Task ClearStateAsync_WithStaleEtag_ThrowsAndKeepsTheState()
    {
        var storage = CreateStorage();
        var grainId = NewGrainId();
        var state = NewState("kept");
        await storage.WriteStateAsync("cart", grainId, state);
        var stale = state.Copy();
        await storage.WriteStateAsync("cart", grainId, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("cart", grainId, stale));

        var read = NewState();
        await storage.ReadStateAsync("cart", grainId, read);
        Assert.True(read.RecordExists);
        Assert.Equal("kept", read.State.Customer);
    }

    [Fact]
    public async Task WriteStateAsync_TwoMegabyteState_RoundTrips()
    {
        var storage = CreateStorage();
        var grainId = NewGrainId();
        var payload = string.Create(2 * 1024 * 1024, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        });
        var state = NewState();
        state.State.Payload = payload;

        await storage.WriteStateAsync("cart", grainId, state);
        var read = NewState();
        await storage.ReadStateAsync("cart", grainId, read);

        Assert.Equal(payload, read.State.Payload);
    }

    [Fact]
    public async Task ReadStateAsync_AnotherStateNameOrService_DoesNotSeeTheState()
    {
        var storage = CreateStorage();
        var otherService = CreateStorage(PostgresFixture.UniqueCluster());
        var grainId = NewGrainId();
        await storage.WriteStateAsync("cart", grainId, NewState("mine"));

        var otherName = NewState();
        await storage.ReadStateAsync("wishlist", grainId, otherName);
        var otherServiceState = NewState();
        await otherService.ReadStateAsync("cart", grainId, otherServiceState);

        Assert.False(otherName.RecordExists);
        Assert.False(otherServiceState.RecordExists);
    }

    private PostgresGrainStorage CreateStorage(IOptions<ClusterOptions>? clusterOptions = null) => new(
        "test",
        fixture.DataSource,
        fixture.Schema(),
        new PostgresGrainStorageOptions(),
        clusterOptions ?? cluster,
        Activators,
        new GrainStateWriteBatcher(fixture.DataSource),
        NullLogger<PostgresGrainStorage>.Instance);

    private async Task<T?> ScalarAsync<T>(string sql, GrainId grainId)
    {
        await using var command = fixture.DataSource.CreateCommand(sql);
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = cluster.Value.ServiceId });
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = grainId.ToString() });
        return (T?)await command.ExecuteScalarAsync();
    }

    private static GrainId NewGrainId() => GrainId.Create("cart", Guid.NewGuid().ToString("N"));

    private static TestGrainState<CartState> NewState(string? customer = null) => new() { State = new CartState { Customer = customer } };

    public sealed class CartState
    {
        public string? Customer { get; set; }

        public List<string> Items { get; set; } = [];

        public CartStatus Status { get; set; }

        public string? Payload { get; set; }
    }

    public enum CartStatus
    {
        Open,
        CheckedOut,
    }
}
