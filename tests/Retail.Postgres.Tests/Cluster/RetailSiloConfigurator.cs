using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.TestingHost;
using Retail.Messaging;
using Retail.Silo;

namespace Retail.Postgres.Tests.Cluster;

/// <summary>
/// A silo composed as production composes it (<see cref="RetailOrleansHosting.AddRetailGrains"/>) on the configuration of
/// <see cref="RetailPostgresSettings"/>, with the messages it publishes recorded.
/// </summary>
public sealed class RetailSiloConfigurator : IHostConfigurator, ISiloConfigurator
{
    public void Configure(IHostBuilder hostBuilder) => RetailPostgresSettings.AddSiloProviders(hostBuilder);

    public void Configure(ISiloBuilder siloBuilder)
    {
        // Reservations left by intakes that a silo failure cut short are found and released within seconds.
        siloBuilder.Configuration["Reservations:HolderCheckAfter"] = "00:00:05";
        siloBuilder.AddRetailGrains(siloBuilder.Configuration);
        siloBuilder.ConfigureServices(services => services.AddSingleton<IMessagePublisher>(PublishedMessages.Instance));
        siloBuilder.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(1);
            options.NumMissedProbesLimit = 2;
            options.NumVotesForDeathDeclaration = 1;
            options.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        });
    }
}
