using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using Retail.Messaging;
using Retail.Postgres.Tests.Cluster;
using Retail.Silo;

namespace Retail.Postgres.Tests.Outbox;

/// <summary>A silo composed as production composes it, on PostgreSQL (state, membership, reminders), and the transport its configuration names.</summary>
public sealed class OutboxSiloConfigurator : IHostConfigurator, ISiloConfigurator
{
    public void Configure(IHostBuilder hostBuilder) => RetailPostgresSettings.AddSiloProviders(hostBuilder);

    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddRetailGrains(siloBuilder.Configuration);
        siloBuilder.Services.AddRetailMessaging(siloBuilder.Configuration);
    }
}
