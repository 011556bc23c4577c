using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Retail.Contracts.Exceptions;
using Retail.Grains;
using Retail.Hosting;
using Retail.Messaging;
using Retail.Postgres.Hosting;

namespace Retail.Silo;

/// <summary>
/// How a process joins Retail's Orleans cluster, chosen by configuration (docs/configuration.md): as a silo with
/// the grains (<see cref="AddRetailSilo"/>), as a client (<see cref="RetailOrleansClientHosting.AddRetailOrleansClient"/>), or, with
/// <c>Retail:Embedded</c>, as a silo inside the API process (<see cref="AddRetailOrleans"/>).
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
        var options = OrleansSettings.From(builder.Configuration);
        builder.AddRetailMessaging();
        builder.UseOrleans(silo =>
        {
            silo.AddActivityPropagation();
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            switch (options.Clustering)
            {
                case OrleansSettings.Localhost:
                    silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
                    break;
                case OrleansSettings.Postgres:
                    silo.Services.AddRetailPostgresDataSource(builder.Configuration);
                    silo.UseRetailPostgresClustering();
                    if (options.AdvertisedAddress is { } advertised)
                    {
                        silo.ConfigureEndpoints(advertised, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
                    }
                    else
                    {
                        silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort);
                    }
                    break;
                default:
                    throw OrleansSettings.Unsupported("Orleans:Membership", options.Clustering);
            }
            switch (options.Storage)
            {
                case OrleansSettings.Memory:
                    foreach (var name in StorageNames.All)
                    {
                        silo.AddMemoryGrainStorage(name);
                    }
                    silo.UseInMemoryReminderService();
                    silo.Services.TryAddSingleton<IExceptionProjection, InMemoryExceptionProjection>();
                    break;
                case OrleansSettings.Postgres:
                    silo.Services.AddRetailPostgresDataSource(builder.Configuration);
                    foreach (var name in StorageNames.All)
                    {
                        silo.AddRetailPostgresGrainStorage(name);
                    }
                    silo.AddRetailPostgresReminders();
                    silo.Services.AddRetailPostgresExceptionProjection(builder.Configuration);
                    break;
                default:
                    throw OrleansSettings.Unsupported("Orleans:Storage", options.Storage);
            }
        });
        return builder;
    }
}
