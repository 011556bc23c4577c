using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Messaging;
using Retail.Postgres.Clustering;

namespace Retail.Postgres.Hosting;

/// <summary>Lets an Orleans client find the silos' gateways through the PostgreSQL membership table.</summary>
public static class RetailPostgresClientBuilderExtensions
{
    /// <summary>How often a client re-reads the active gateways.</summary>
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(10);

    /// <summary>Gateways from the membership rows of the client's cluster (<c>ClusterOptions.ClusterId</c>).</summary>

    public static IClientBuilder UseRetailPostgresClustering(this IClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRetailPostgresDataSource(configuration);
        builder.Services.AddSingleton<IGatewayListProvider, PostgresGatewayListProvider>();
        // The list is one indexed query; re-reading it often lets a client drop a failed silo's gateway soon after
        // the cluster declares the silo dead, rather than a minute later (Orleans' default).
        builder.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
        return builder;
    }
}
