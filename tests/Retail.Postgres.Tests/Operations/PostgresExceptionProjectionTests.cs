using Retail.Contracts.Exceptions;
using Retail.Postgres.Operations;

namespace Retail.Postgres.Tests.Operations;

[Collection(SharedPostgres.Name)]
public sealed class PostgresExceptionProjectionTests(PostgresFixture fixture)
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 14, 0, 0, TimeSpan.Zero);

    private readonly PostgresExceptionProjection projection = new(fixture.DataSource, "service-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task List_ByStatusKindAndCreation_AnswersMatchingRecordsOldestFirstInPages()
    {
        await projection.WriteAsync(
        [
            Record("InventoryVariance-a-1", ExceptionKinds.InventoryVariance, Now.AddDays(-1)),
            Record("PaymentTimeout-b-1", ExceptionKinds.PaymentTimeout, Now.AddHours(-3)),
            Record("InventoryVariance-c-1", ExceptionKinds.InventoryVariance, Now.AddHours(-2)) with { Status = ExceptionStatus.Resolved, Resolution = "recounted" },
            Record("InventoryVariance-d-1", ExceptionKinds.InventoryVariance, Now.AddHours(-1)),
        ]);

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
    public async Task Write_SameRecordAgain_ReplacesItUnlessTheStoredOneIsNewer()
    {
        var record = Record("Backordered-e-1", ExceptionKinds.Backordered, Now.AddHours(-1));
        await projection.WriteAsync([record]);

        await projection.WriteAsync([record with { Attempts = 3, UpdatedAt = Now }]);
        await projection.WriteAsync([record with { Attempts = 2, UpdatedAt = Now.AddMinutes(-30) }]);

        var stored = Assert.Single(await projection.ListAsync(new ExceptionQuery()));
        Assert.Equal((3, Now), (stored.Attempts, stored.UpdatedAt));
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
