using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Retail.Messaging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The readiness checks of a Retail host, for the dependencies it really has: <c>storage</c> (the PostgreSQL data
/// source answers), <c>broker</c> (the message transport reaches its broker) and <c>cluster</c> (the Orleans cluster
/// has an active silo, as this silo or client sees the membership). A host gets a check when it registers the
/// dependency, whichever composition it uses, so /health tells the truth in every host.
/// </summary>
public static class DependencyHealthChecks
{
    public const string Storage = "storage";
    public const string Broker = "broker";
    public const string Cluster = "cluster";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    internal static IServiceCollection AddDependencyHealthChecks(this IServiceCollection services)
    {
        services.AddOptions<HealthCheckServiceOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            var registered = provider.GetRequiredService<IServiceProviderIsService>();
            if (registered.IsService(typeof(NpgsqlDataSource)))
            {
                options.Registrations.Add(new HealthCheckRegistration(Storage, sp => new StorageCheck(sp.GetRequiredService<NpgsqlDataSource>()), HealthStatus.Unhealthy, [], CheckTimeout));
            }
            if (registered.IsService(typeof(IMessagingHealth)))
            {
                options.Registrations.Add(new HealthCheckRegistration(Broker, sp => new BrokerCheck(sp.GetRequiredService<IMessagingHealth>()), HealthStatus.Unhealthy, [], CheckTimeout));
            }
            if (registered.IsService(typeof(IGrainFactory)))
            {
                options.Registrations.Add(new HealthCheckRegistration(Cluster, sp => new ClusterCheck(sp.GetRequiredService<IGrainFactory>()), HealthStatus.Unhealthy, [], CheckTimeout));
            }
        });
        return services;
    }

    private sealed class StorageCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy("PostgreSQL answers.");
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", exception);
            }
        }
    }

    private sealed class BrokerCheck(IMessagingHealth health) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            health.CheckHealthAsync(cancellationToken);
    }

    private sealed class ClusterCheck(IGrainFactory grains) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true, cancellationToken);
                return hosts.Count > 0
                    ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s).")
                    : HealthCheckResult.Unhealthy("The cluster has no active silo.");
            }
            catch (Exception exception) when (exception is OrleansException or TimeoutException or InvalidOperationException or SiloUnavailableException)
            {
                return HealthCheckResult.Unhealthy("The Orleans cluster does not answer.", exception);
            }
        }
    }
}
