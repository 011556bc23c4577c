using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Messaging;
using Retail.Postgres.Clustering;

namespace Retail.Postgres.Hosting;

/// <summary>Lets an Orleans client find the silos' gateways through the PostgreSQL membership table.</summary>
public static class RetailPostgresClientBuilderExtensions
{
    /// <summary>Gateways from the membership rows of the client's cluster (<c>ClusterOptions.ClusterId</c>).</summary>
    public static IClientBuilder UseRetailPostgresClustering(this IClientBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRetailPostgresDataSource(configuration);
        builder.Services.AddSingleton<IGatewayListProvider, PostgresGatewayListProvider>();
        return builder;
    }
}
