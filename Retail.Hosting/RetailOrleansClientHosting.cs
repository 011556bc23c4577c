using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Retail.Postgres.Hosting;

namespace Retail.Hosting;

/// <summary>
/// How a client process (the API, the bridge) joins Retail's Orleans cluster, chosen by configuration: it carries
/// no grain implementations, only the contracts and the clustering that finds the silos' gateways.
/// </summary>
public static class RetailOrleansClientHosting
{
    /// <summary>A client of the cluster that <c>Orleans:Membership</c> names.</summary>
    public static IHostApplicationBuilder AddRetailOrleansClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = OrleansSettings.From(builder.Configuration);
        builder.UseOrleansClient(client =>
        {
            client.AddActivityPropagation();
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            switch (options.Clustering)
            {
                case OrleansSettings.Localhost:
                    client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
                    break;
                case OrleansSettings.Postgres:
                    client.UseRetailPostgresClustering(builder.Configuration);
                    break;
                default:
                    throw OrleansSettings.Unsupported("Orleans:Membership", options.Clustering);
            }
        });
        return builder;
    }
}
