using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Retail.Postgres.Clustering;

namespace Retail.Postgres.Tests.Clustering;

[Collection(SharedPostgres.Name)]
public sealed class PostgresGatewayListProviderTests(PostgresFixture fixture)
{
    [Fact]
    public async Task GetGateways_ListsActiveSilosWithAGatewayPortOnly()
    {
        var cluster = PostgresFixture.UniqueCluster();
        var table = new PostgresMembershipTable(fixture.DataSource, fixture.Schema(), cluster, NullLogger<PostgresMembershipTable>.Instance);
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        var active = MembershipEntries.Create(SiloStatus.Active, proxyPort: 30001);
        var joining = MembershipEntries.Create(SiloStatus.Joining, proxyPort: 30002);
        var dead = MembershipEntries.Create(SiloStatus.Dead, proxyPort: 30003);
        var noGateway = MembershipEntries.Create(SiloStatus.Active, proxyPort: 0);
        foreach (var entry in new[] { active, joining, dead, noGateway })
        {
            Assert.True(await table.InsertRow(entry, (await table.ReadAll()).Version.Next()));
        }

        var provider = new PostgresGatewayListProvider(fixture.DataSource, fixture.Schema(), cluster, Options.Create(new GatewayOptions()));
        await provider.InitializeGatewayListProvider();
        var gateways = await provider.GetGateways();

        var gateway = Assert.Single(gateways);
        Assert.Equal(SiloAddress.New(active.SiloAddress.Endpoint.Address, 30001, active.SiloAddress.Generation).ToGatewayUri(), gateway);
        Assert.True(provider.IsUpdatable);
    }
}
