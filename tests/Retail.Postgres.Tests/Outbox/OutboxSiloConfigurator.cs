using Orleans.TestingHost;
using Retail.Grains;
using Retail.Grains.Outbox;
using Retail.Messaging;
using Retail.Postgres.Hosting;

namespace Retail.Postgres.Tests.Outbox;

/// <summary>A silo with the real grains on PostgreSQL (state, membership, reminders) and the transport its configuration names.</summary>
public sealed class OutboxSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.UseRetailPostgres(siloBuilder.Configuration, [.. StorageNames.All]);
        siloBuilder.AddRetailOutboxRelay(siloBuilder.Configuration);
        siloBuilder.Services.AddRetailMessaging(siloBuilder.Configuration);
    }
}
