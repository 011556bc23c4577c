using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Messaging;
using Retail.Postgres.Schema;

namespace Retail.Postgres.Clustering;

/// <summary>The gateways a client may connect to: the active silos of its cluster that expose a gateway port.</summary>
internal sealed class PostgresGatewayListProvider(
    NpgsqlDataSource dataSource,
    RetailSchema schema,
    IOptions<ClusterOptions> clusterOptions,
    IOptions<GatewayOptions> gatewayOptions) : IGatewayListProvider
{
    public TimeSpan MaxStaleness => gatewayOptions.Value.GatewayListRefreshPeriod;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => schema.EnsureCreatedAsync();

    public async Task<IList<Uri>> GetGateways()
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT address, proxy_port, generation FROM retail_membership
            WHERE cluster_id = $1 AND status = $2 AND proxy_port > 0
            ORDER BY address, proxy_port
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = clusterOptions.Value.ClusterId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)SiloStatus.Active });
        await using var reader = await command.ExecuteReaderAsync();
        var gateways = new List<Uri>();
        while (await reader.ReadAsync())
        {
            var gateway = SiloAddress.New(IPAddress.Parse(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2));
            gateways.Add(gateway.ToGatewayUri());
        }

        return gateways;
    }
}
