using Microsoft.Extensions.Hosting;

namespace Retail.Hosting;

/// <summary>
/// How a client process (the API, the bridge) joins Retail's Orleans cluster: it carries no grain implementations,
/// only the contracts and the clustering that finds the silos' gateways. The clustering provider comes from Orleans'
/// configuration (<c>Orleans:Clustering:ProviderType</c>, e.g. <c>RetailPostgres</c>); with none, the local silo's
/// gateway (<c>Orleans:Endpoints:GatewayPort</c>).
/// </summary>
public static class RetailOrleansClientHosting
{
    public static IHostApplicationBuilder AddRetailOrleansClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var orleans = OrleansSettings.From(builder.Configuration);
        builder.UseOrleansClient(client =>
        {
            client.AddActivityPropagation();
            if (!orleans.HasProvider("Clustering"))
            {
                client.UseLocalhostClustering(orleans.GatewayPort, orleans.ServiceId, orleans.ClusterId);
            }
        });
        return builder;
    }
}
