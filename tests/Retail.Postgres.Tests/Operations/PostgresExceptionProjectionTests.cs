using Retail.Contracts.Exceptions;
using Retail.Postgres.Operations;

namespace Retail.Postgres.Tests.Operations;

[Collection(SharedPostgres.Name)]
public sealed class PostgresExceptionProjectionTests(PostgresFixture fixture)
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 14, 0, 0, TimeSpan.Zero);

    private readonly Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions> cluster = PostgresFixture.UniqueCluster();

    private PostgresExceptionProjection Projection => new(fixture.DataSource, cluster.Value.ServiceId);

    private ListingStorage Storage => new(fixture, cluster);

    [Fact]
    public async Task List_ByStatusKindAndCreation_AnswersMatchingRecordsOldestFirstInPages()
    {
        var storage = Storage;
        await storage.WriteAsync("a", ListedState.Of(Record("InventoryVariance-a-1", ExceptionKinds.InventoryVariance, Now.AddDays(-1))));
        await storage.WriteAsync("b", ListedState.Of(Record("PaymentTimeout-b-1", ExceptionKinds.PaymentTimeout, Now.AddHours(-3))));
        await storage.WriteAsync("cd", ListedState.Of(
            Record("InventoryVariance-c-1", ExceptionKinds.InventoryVariance, Now.AddHours(-2)) with { Status = ExceptionStatus.Resolved, Resolution = "recounted" },
            Record("InventoryVariance-d-1", ExceptionKinds.InventoryVariance, Now.AddHours(-1))));
        var projection = Projection;

        var open = await projection.ListAsync(new ExceptionQuery { Status = ExceptionStatus.Open });
        var variancesToday = await projection.ListAsync(new ExceptionQuery { Status = null, Kind = ExceptionKinds.InventoryVariance, CreatedFrom = Now.AddHours(-12) });
        var firstPage = await projection.ListAsync(new ExceptionQuery { Limit = 2 });
        var secondPage = await projection.ListAsync(new ExceptionQuery { Limit = 2, After = firstPage[^1].Id });

        Assert.Equal(["InventoryVariance-a-1", "PaymentTimeout-b-1", "InventoryVariance-d-1"], open.Select(r => r.Id));
        Assert.Equal(["InventoryVariance-c-1", "InventoryVariance-d-1"], variancesToday.Select(r => r.Id));
        Assert.Equal((ExceptionStatus.Resolved, "recounted", Now.AddHours(-2)), (variancesToday[0].Status, variancesToday[0].Resolution, variancesToday[0].CreatedAt));
        Assert.Equal(["InventoryVariance-a-1", "PaymentTimeout-b-1"], firstPage.Select(r => r.Id));
        Assert.Equal(["InventoryVariance-d-1"], secondPage.Select(r => r.Id));
    }

    [Fact]
    public async Task WriteStateAsync_RecordChangedInTheState_ReplacesItsRowWithEveryColumn()
    {
        var record = Record("Backordered-e-1", ExceptionKinds.Backordered, Now.AddHours(-1));
        var storage = Storage;
        var written = await storage.WriteAsync("e", ListedState.Of(record));
        var changed = record with
        {
            Attempts = 3,
            UpdatedAt = Now,
            Status = ExceptionStatus.Resolved,
            Resolution = "restocked",
            CorrelationId = "corr-1",
            Root = "SKU-1",
            ManualTouches = 2,
        };

        await storage.WriteAsync("e", ListedState.Of(changed), written);

        Assert.Equal(changed, Assert.Single(await Projection.ListAsync(new ExceptionQuery { Status = null })));
    }

    [Fact]
    public async Task WriteStateAsync_StaleEtag_LeavesTheRowsOfTheStoredState()
    {
        var record = Record("Backordered-f-1", ExceptionKinds.Backordered, Now.AddHours(-1));
        var storage = Storage;
        var first = await storage.WriteAsync("f", ListedState.Of(record));
        var stale = first.Copy();
        await storage.WriteAsync("f", ListedState.Of(record with { Attempts = 2, UpdatedAt = Now }), first);

        await Assert.ThrowsAsync<Orleans.Storage.InconsistentStateException>(
            () => storage.WriteAsync("f", ListedState.Of(record with { Attempts = 9, Reason = "stale" }), stale));

        var stored = Assert.Single(await Projection.ListAsync(new ExceptionQuery()));
        Assert.Equal((2, "reason"), (stored.Attempts, stored.Reason));
    }

    private static ExceptionRecord Record(string id, string kind, DateTimeOffset createdAt) => new()
    {
        Id = id,
        Kind = kind,
        BusinessKey = "key-" + id,
        Reason = "reason",
        Attempts = 1,
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        Status = ExceptionStatus.Open,
    };
}
