using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Retail.Postgres.Clustering;

namespace Retail.Postgres.Tests.Clustering;

[Collection(SharedPostgres.Name)]
public sealed class PostgresMembershipTableTests(PostgresFixture fixture)
{
    private readonly IOptions<ClusterOptions> cluster = PostgresFixture.UniqueCluster();

    [Fact]
    public async Task ReadAll_NewTable_IsEmptyAtVersionZero()
    {
        var table = await CreateTableAsync();

        var data = await table.ReadAll();

        Assert.Empty(data.Members);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task InsertRow_WithTheNextVersion_StoresTheEntry()
    {
        var table = await CreateTableAsync();
        var entry = MembershipEntries.Create();
        entry.SuspectTimes = [Tuple.Create(SiloAddress.New(IPAddress.Loopback, 11111, 7), new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc))];
        var before = await table.ReadAll();

        var inserted = await table.InsertRow(entry, before.Version.Next());
        var after = await table.ReadAll();

        Assert.True(inserted);
        Assert.Equal(1, after.Version.Version);
        var (stored, etag) = Assert.Single(after.Members);
        Assert.False(string.IsNullOrEmpty(etag));
        Assert.Equal(entry.SiloAddress, stored.SiloAddress);
        Assert.Equal(entry.SiloName, stored.SiloName);
        Assert.Equal(entry.HostName, stored.HostName);
        Assert.Equal(entry.Status, stored.Status);
        Assert.Equal(entry.ProxyPort, stored.ProxyPort);
        Assert.Equal(entry.RoleName, stored.RoleName);
        Assert.Equal(entry.UpdateZone, stored.UpdateZone);
        Assert.Equal(entry.FaultZone, stored.FaultZone);
        Assert.Equal(entry.StartTime, stored.StartTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(entry.IAmAliveTime, stored.IAmAliveTime, TimeSpan.FromMilliseconds(1));
        Assert.NotNull(stored.SuspectTimes);
        var suspect = Assert.Single(stored.SuspectTimes);
        Assert.Equal(entry.SuspectTimes[0].Item1, suspect.Item1);
        Assert.Equal(entry.SuspectTimes[0].Item2, suspect.Item2);
    }

    [Fact]
    public async Task InsertRow_WithAStaleVersion_ReturnsFalseAndChangesNothing()
    {
        var table = await CreateTableAsync();
        var stale = (await table.ReadAll()).Version;
        Assert.True(await table.InsertRow(MembershipEntries.Create(), stale.Next()));

        var inserted = await table.InsertRow(MembershipEntries.Create(), stale.Next());

        Assert.False(inserted);
        var data = await table.ReadAll();
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
    }

    [Fact]
    public async Task InsertRow_ForASiloAlreadyPresent_ReturnsFalseAndKeepsTheVersion()
    {
        var table = await CreateTableAsync();
        var entry = MembershipEntries.Create();
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));

        var inserted = await table.InsertRow(entry, (await table.ReadAll()).Version.Next());

        Assert.False(inserted);
        Assert.Equal(1, (await table.ReadAll()).Version.Version);
    }

    [Fact]
    public async Task UpdateRow_WithCurrentEtagAndVersion_StoresTheChange()
    {
        var table = await CreateTableAsync();
        var entry = MembershipEntries.Create();
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var data = await table.ReadAll();
        var etag = data.Members[0].Item2;
        entry.Status = SiloStatus.Active;

        var updated = await table.UpdateRow(entry, etag, data.Version.Next());

        Assert.True(updated);
        var after = await table.ReadAll();
        Assert.Equal(SiloStatus.Active, after.Members[0].Item1.Status);
        Assert.NotEqual(etag, after.Members[0].Item2);
        Assert.Equal(2, after.Version.Version);
    }

    [Fact]
    public async Task UpdateRow_WithAStaleRowEtagOrTableVersion_ReturnsFalse()
    {
        var table = await CreateTableAsync();
        var entry = MembershipEntries.Create();
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var old = await table.ReadAll();
        entry.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRow(entry, old.Members[0].Item2, old.Version.Next()));
        var current = await table.ReadAll();
        entry.Status = SiloStatus.Dead;

        var withStaleEtag = await table.UpdateRow(entry, old.Members[0].Item2, current.Version.Next());
        var withStaleVersion = await table.UpdateRow(entry, current.Members[0].Item2, old.Version.Next());

        Assert.False(withStaleEtag);
        Assert.False(withStaleVersion);
        var after = await table.ReadAll();
        Assert.Equal(SiloStatus.Active, after.Members[0].Item1.Status);
        Assert.Equal(current.Version, after.Version);
    }

    [Fact]
    public async Task UpdateRow_ConcurrentUpdatesFromTheSameVersion_ExactlyOneSucceeds()
    {
        var table = await CreateTableAsync();
        var entry = MembershipEntries.Create();
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var data = await table.ReadAll();

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
        {
            var candidate = MembershipEntries.Create();
            candidate.SiloAddress = entry.SiloAddress;
            candidate.SiloName = $"candidate-{i}";
            return table.UpdateRow(candidate, data.Members[0].Item2, data.Version.Next());
        }));

        Assert.Single(results, result => result);
        Assert.Equal(data.Version.Version + 1, (await table.ReadAll()).Version.Version);
    }

    [Fact]
    public async Task InsertRow_ConcurrentInsertsFromTheSameVersion_ExactlyOneSucceeds()
    {
        var table = await CreateTableAsync();
        var version = (await table.ReadAll()).Version;

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => table.InsertRow(MembershipEntries.Create(), version.Next())));

        Assert.Single(results, result => result);
        Assert.Single((await table.ReadAll()).Members);
    }

    [Fact]
    public async Task UpdateIAmAlive_ChangesOnlyTheAliveTime()
    {
        var table = await CreateTableAsync();
        var entry = MembershipEntries.Create();
        Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        var before = await table.ReadAll();
        var alive = entry.IAmAliveTime.AddSeconds(30);
        entry.IAmAliveTime = alive;

        await table.UpdateIAmAlive(entry);

        var after = await table.ReadAll();
        Assert.Equal(alive, after.Members[0].Item1.IAmAliveTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(before.Members[0].Item2, after.Members[0].Item2);
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task ReadRow_ReturnsOnlyThatSilo()
    {
        var table = await CreateTableAsync();
        var first = MembershipEntries.Create();
        var second = MembershipEntries.Create();
        Assert.True(await table.InsertRow(first, (await table.ReadAll()).Version.Next()));
        Assert.True(await table.InsertRow(second, (await table.ReadAll()).Version.Next()));

        var row = await table.ReadRow(second.SiloAddress);

        Assert.Equal(second.SiloAddress, Assert.Single(row.Members).Item1.SiloAddress);
        Assert.Equal(2, row.Version.Version);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_RemovesOldInactiveEntriesOnly()
    {
        var table = await CreateTableAsync();
        var longAgo = DateTime.UtcNow.AddHours(-2);
        var oldDead = MembershipEntries.Create(SiloStatus.Dead, iAmAlive: longAgo);
        var oldActive = MembershipEntries.Create(SiloStatus.Active, iAmAlive: longAgo);
        var recentDead = MembershipEntries.Create(SiloStatus.Dead);
        foreach (var entry in new[] { oldDead, oldActive, recentDead })
        {
            Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        }

        await table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddHours(-1));

        var remaining = (await table.ReadAll()).Members.Select(m => m.Item1.SiloAddress).ToList();
        Assert.DoesNotContain(oldDead.SiloAddress, remaining);
        Assert.Contains(oldActive.SiloAddress, remaining);
        Assert.Contains(recentDead.SiloAddress, remaining);
    }

    [Fact]
    public async Task DeleteMembershipTableEntries_RemovesTheClusterOnly()
    {
        var table = await CreateTableAsync();
        var otherTable = await CreateTableAsync(PostgresFixture.UniqueCluster());
        Assert.True(await table.InsertRow(MembershipEntries.Create(), (await table.ReadAll()).Version.Next()));
        Assert.True(await otherTable.InsertRow(MembershipEntries.Create(), (await otherTable.ReadAll()).Version.Next()));

        await table.DeleteMembershipTableEntries(cluster.Value.ClusterId);

        Assert.Empty((await table.ReadAll()).Members);
        Assert.Single((await otherTable.ReadAll()).Members);
    }

    private async Task<PostgresMembershipTable> CreateTableAsync(IOptions<ClusterOptions>? clusterOptions = null)
    {
        var table = new PostgresMembershipTable(fixture.DataSource, fixture.Schema(), clusterOptions ?? cluster, NullLogger<PostgresMembershipTable>.Instance);
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        return table;
    }
}
