using Orleans.Configuration;
using Retail.Grains;
using Retail.Messaging;

namespace Retail.Silo;

/// <summary>
/// How a process joins Retail's Orleans cluster: as a silo with the grains (<see cref="AddRetailSilo"/>), as a client
/// (<see cref="AddRetailOrleansClient"/>), or, with <c>Retail:Embedded</c>, as a silo inside an API or bridge process
/// (<see cref="AddRetailOrleans"/>). Clustering, grain storage, reminders, ids and ports come from Orleans' own
/// configuration (<c>Orleans:Clustering:ProviderType</c>, <c>Orleans:GrainStorage:{name}:ProviderType</c>,
/// <c>Orleans:Reminders:ProviderType</c>, <c>Orleans:ClusterId</c>, <c>Orleans:Endpoints:*</c>), as Aspire.Hosting.Orleans
/// and the Azure deployment write it; what is left unconfigured is local and in memory (docs/configuration.md).
/// </summary>
public static class RetailOrleansHosting
{
    public const string EmbeddedKey = "Retail:Embedded";

    /// <summary>A co-hosted silo when <c>Retail:Embedded</c> is true, a client otherwise.</summary>
    public static IHostApplicationBuilder AddRetailOrleans(this IHostApplicationBuilder builder) =>
        IsEmbedded(builder.Configuration) ? builder.AddRetailSilo() : builder.AddRetailOrleansClient();

    public static bool IsEmbedded(IConfiguration configuration) => configuration.GetValue<bool>(EmbeddedKey);

    /// <summary>A silo: the grains, their storage, reminders and clustering, and the message transport for the outbox.</summary>
    public static IHostApplicationBuilder AddRetailSilo(this IHostApplicationBuilder builder)
    {
        var orleans = new OrleansSection(builder.Configuration.GetSection("Orleans"));
        builder.Services.AddRetailMessaging(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.AddActivityPropagation();
            if (!orleans.HasProvider("Clustering"))
            {
                silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
            }
            foreach (var name in StorageNames.All.Where(name => !orleans.HasProvider($"GrainStorage:{name}")))
            {
                silo.AddMemoryGrainStorage(name);
            }
            if (!orleans.HasProvider("Reminders"))
            {
                silo.UseInMemoryReminderService();
            }
        });
        return builder;
    }

    /// <summary>A client of the cluster that <c>Orleans:Clustering</c> names (the local silo's gateway when it names none).</summary>
    public static IHostApplicationBuilder AddRetailOrleansClient(this IHostApplicationBuilder builder)
    {
        var orleans = new OrleansSection(builder.Configuration.GetSection("Orleans"));
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

    private sealed class OrleansSection(IConfigurationSection section)
    {
        public string ClusterId => section["ClusterId"] ?? "retail";

        public string ServiceId => section["ServiceId"] ?? "retail";

        public int SiloPort => section.GetValue("Endpoints:SiloPort", EndpointOptions.DEFAULT_SILO_PORT);

        public int GatewayPort => section.GetValue("Endpoints:GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT);

        public bool HasProvider(string path) => !string.IsNullOrWhiteSpace(section[$"{path}:ProviderType"]);
    }
}
