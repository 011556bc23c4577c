using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Retail.Postgres.Reminders;

namespace Retail.Postgres.Tests.Reminders;

[Collection(SharedPostgres.Name)]
public sealed class PostgresReminderTableTests(PostgresFixture fixture)
{
    private readonly IOptions<ClusterOptions> cluster = PostgresFixture.UniqueCluster();

    [Fact]
    public async Task UpsertRow_ThenReadRow_ReturnsTheReminderWithItsEtag()
    {
        var table = await CreateTableAsync();
        var reminder = NewReminder(NewGrainId(), "payment-timeout");

        var etag = await table.UpsertRow(reminder);
        var read = await table.ReadRow(reminder.GrainId, "payment-timeout");

        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.Equal(reminder.GrainId, read.GrainId);
        Assert.Equal(reminder.StartAt, read.StartAt, TimeSpan.FromMilliseconds(1));
        Assert.Equal(reminder.Period, read.Period);
    }

    [Fact]
    public async Task ReadRow_UnknownReminder_ReturnsNull()
    {
        var table = await CreateTableAsync();

        var read = await table.ReadRow(NewGrainId(), "none");

        Assert.Null(read);
    }

    [Fact]
    public async Task UpsertRow_Again_ReplacesTheReminderWithANewEtag()
    {
        var table = await CreateTableAsync();
        var reminder = NewReminder(NewGrainId(), "retry");
        var first = await table.UpsertRow(reminder);
        reminder.Period = TimeSpan.FromMinutes(5);

        var second = await table.UpsertRow(reminder);

        Assert.NotEqual(first, second);
        var read = await table.ReadRow(reminder.GrainId, "retry");
        Assert.Equal(TimeSpan.FromMinutes(5), read!.Period);
        Assert.Equal(second, read.ETag);
    }

    [Fact]
    public async Task RemoveRow_WithAStaleEtag_KeepsTheReminder()
    {
        var table = await CreateTableAsync();
        var reminder = NewReminder(NewGrainId(), "retry");
        var stale = await table.UpsertRow(reminder);
        await table.UpsertRow(reminder);

        var removed = await table.RemoveRow(reminder.GrainId, "retry", stale!);

        Assert.False(removed);
        Assert.NotNull(await table.ReadRow(reminder.GrainId, "retry"));
    }

    [Fact]
    public async Task RemoveRow_WithTheCurrentEtag_RemovesTheReminder()
    {
        var table = await CreateTableAsync();
        var reminder = NewReminder(NewGrainId(), "retry");
        var etag = await table.UpsertRow(reminder);

        var removed = await table.RemoveRow(reminder.GrainId, "retry", etag!);

        Assert.True(removed);
        Assert.Null(await table.ReadRow(reminder.GrainId, "retry"));
        Assert.False(await table.RemoveRow(reminder.GrainId, "retry", etag!));
    }

    [Fact]
    public async Task ReadRows_ForAGrain_ReturnsThatGrainsRemindersOnly()
    {
        var table = await CreateTableAsync();
        var grain = NewGrainId();
        await table.UpsertRow(NewReminder(grain, "a"));
        await table.UpsertRow(NewReminder(grain, "b"));
        await table.UpsertRow(NewReminder(NewGrainId(), "a"));

        var rows = await table.ReadRows(grain);

        Assert.Equal(["a", "b"], rows.Reminders.Select(r => r.ReminderName));
    }

    [Fact]
    public async Task ReadRows_HashRange_ReturnsRemindersInTheRangeIncludingWraparound()
    {
        var table = await CreateTableAsync();
        var grains = Enumerable.Range(0, 40).Select(_ => NewGrainId()).ToList();
        foreach (var grain in grains)
        {
            await table.UpsertRow(NewReminder(grain, "tick"));
        }

        var hashes = grains.Select(g => g.GetUniformHashCode()).Order().ToList();
        var low = hashes[10];
        var high = hashes[30];

        var inside = await table.ReadRows(low, high);
        var wrapped = await table.ReadRows(high, low);
        var everything = await table.ReadRows(low, low);

        Assert.Equal(Expected(grains, h => h > low && h <= high), Actual(inside));
        Assert.Equal(Expected(grains, h => h > high || h <= low), Actual(wrapped));
        Assert.Equal(20, inside.Reminders.Count);
        Assert.Equal(20, wrapped.Reminders.Count);
        Assert.Equal(40, everything.Reminders.Count);
    }

    [Fact]
    public async Task TestOnlyClearTable_RemovesThisServicesRemindersOnly()
    {
        var table = await CreateTableAsync();
        var otherTable = await CreateTableAsync(PostgresFixture.UniqueCluster());
        var grain = NewGrainId();
        await table.UpsertRow(NewReminder(grain, "mine"));
        await otherTable.UpsertRow(NewReminder(grain, "theirs"));

        await table.TestOnlyClearTable();

        Assert.Empty((await table.ReadRows(grain)).Reminders);
        Assert.Single((await otherTable.ReadRows(grain)).Reminders);
    }

    private async Task<PostgresReminderTable> CreateTableAsync(IOptions<ClusterOptions>? clusterOptions = null)
    {
        var table = new PostgresReminderTable(fixture.DataSource, fixture.Schema(), clusterOptions ?? cluster);
        await table.StartAsync();
        return table;
    }

    private static List<string> Expected(IEnumerable<GrainId> grains, Func<uint, bool> inRange) =>
        grains.Where(g => inRange(g.GetUniformHashCode())).Select(g => g.ToString()).Order(StringComparer.Ordinal).ToList();

    private static List<string> Actual(ReminderTableData data) =>
        data.Reminders.Select(r => r.GrainId.ToString()).Order(StringComparer.Ordinal).ToList();

    private static GrainId NewGrainId() => GrainId.Create("order", Guid.NewGuid().ToString("N"));

    private static ReminderEntry NewReminder(GrainId grainId, string name) => new()
    {
        GrainId = grainId,
        ReminderName = name,
        StartAt = DateTime.UtcNow.AddMinutes(1),
        Period = TimeSpan.FromMinutes(1),
    };
}
