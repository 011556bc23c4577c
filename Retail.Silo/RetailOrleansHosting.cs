using Microsoft.Extensions.DependencyInjection.Extensions;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Projections;
using Retail.Grains;
using Retail.Grains.Outbox;
using Retail.Hosting;
using Retail.Messaging;
using Retail.Postgres.Hosting;
using Retail.Silo.Listings;

namespace Retail.Silo;

/// <summary>
/// How a process hosts Retail's grains: as a silo (<see cref="AddRetailSilo"/>), or, with <c>Retail:Embedded</c>, as a
/// silo inside the API process (<see cref="AddRetailOrleans"/>; a client otherwise,
/// <see cref="RetailOrleansClientHosting.AddRetailOrleansClient"/>). Clustering, grain storage, reminders, ids and ports
/// come from Orleans' own configuration (<c>Orleans:Clustering:ProviderType</c>, <c>Orleans:GrainStorage:{name}:ProviderType</c>,
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

    /// <summary>A silo: its clustering (local when none is configured), the message transport and <see cref="AddRetailGrains"/>.</summary>
    public static IHostApplicationBuilder AddRetailSilo(this IHostApplicationBuilder builder)
    {
        var orleans = OrleansSettings.From(builder.Configuration);
        builder.AddRetailMessaging();
        builder.UseOrleans(silo =>
        {
            if (!orleans.HasProvider("Clustering"))
            {
                silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
            }
            silo.AddRetailGrains(builder.Configuration);
        });
        return builder;
    }

    /// <summary>
    /// What a silo of Retail is below its host: trace propagation, the outbox relay, the grain storages and reminders
    /// (those named in <paramref name="configuration"/>, in memory otherwise) and the exception listing beside the
    /// records' storage. Clustering and the message transport belong to the host; test clusters compose their silos
    /// with this, so that they run what production runs.
    /// </summary>
    public static ISiloBuilder AddRetailGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var orleans = OrleansSettings.From(configuration);
        silo.AddActivityPropagation();
        silo.AddRetailOutboxRelay(configuration);
        foreach (var name in StorageNames.All.Where(name => !orleans.HasProvider($"GrainStorage:{name}")))
        {
            silo.AddRetailMemoryGrainStorage(name);
        }
        if (!orleans.HasProvider("Reminders"))
        {
            silo.UseInMemoryReminderService();
        }
        // The exception listing is read where the exception records' state (and with it the listing) is stored.
        if (orleans.ProviderType($"GrainStorage:{StorageNames.Operations}") == RetailPostgresProviders.ProviderType)
        {
            silo.Services.AddRetailPostgresExceptionProjection(configuration);
        }
        else
        {
            silo.Services.TryAddSingleton<InMemoryListings>();
            silo.Services.TryAddSingleton<IExceptionProjection>(services => services.GetRequiredService<InMemoryListings>());
        }
        return silo;
    }
}
