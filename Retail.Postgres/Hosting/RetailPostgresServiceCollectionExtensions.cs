using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Retail.Contracts.Exceptions;
using Retail.Postgres.Connection;
using Retail.Postgres.Operations;
using Retail.Postgres.Schema;

namespace Retail.Postgres.Hosting;

/// <summary>Registers Retail's PostgreSQL services that do not depend on Orleans hosting.</summary>
public static class RetailPostgresServiceCollectionExtensions
{
    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> of the process, built by <see cref="RetailDataSourceFactory"/>
    /// from <c>ConnectionStrings:retail-db</c> or <c>Postgres:*</c>, and the <see cref="PostgresMigrator"/>.
    /// The first registration wins, so calling this more than once is harmless; <paramref name="connectionStringName"/>
    /// names another connection string (an Orleans provider's <c>ServiceKey</c>).
    /// </summary>
    public static IServiceCollection AddRetailPostgresDataSource(
        this IServiceCollection services, IConfiguration configuration, string connectionStringName = RetailDataSourceFactory.ConnectionStringName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => RetailDataSourceFactory.Create(configuration, connectionStringName: connectionStringName));
        services.TryAddSingleton<PostgresMigrator>();
        services.TryAddSingleton<RetailSchema>();
        return services;
    }

    /// <summary>
    /// Registers <see cref="OperationsQueries"/> over the grain state of the service named by <c>Orleans:ServiceId</c>
    /// (default <c>retail</c>).
    /// </summary>
    public static IServiceCollection AddRetailOperationsQueries(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddRetailPostgresDataSource(configuration);
        var serviceId = configuration["Orleans:ServiceId"] ?? OperationsQueries.DefaultServiceId;
        services.TryAddSingleton(sp => new OperationsQueries(
            sp.GetRequiredService<NpgsqlDataSource>(),
            serviceId,
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }

    /// <summary>
    /// Registers the exception listing (<see cref="PostgresExceptionProjection"/>) of the service named by
    /// <c>Orleans:ServiceId</c> (default <c>retail</c>).
    /// </summary>
    public static IServiceCollection AddRetailPostgresExceptionProjection(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddRetailPostgresDataSource(configuration);
        var serviceId = configuration["Orleans:ServiceId"] ?? OperationsQueries.DefaultServiceId;
        services.TryAddSingleton<IExceptionProjection>(sp => new PostgresExceptionProjection(sp.GetRequiredService<NpgsqlDataSource>(), serviceId));
        return services;
    }
}
