using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization.Serializers;
using Retail.Contracts.Outbox;
using Retail.Postgres.Clustering;
using Retail.Postgres.Reminders;
using Retail.Postgres.Schema;
using Retail.Postgres.Storage;

namespace Retail.Postgres.Hosting;

/// <summary>Puts an Orleans silo on PostgreSQL: grain state, cluster membership and reminders.</summary>
public static class RetailPostgresSiloBuilderExtensions
{
    /// <summary>Silo membership in PostgreSQL (the data source comes from the silo's configuration unless registered before).</summary>
    public static ISiloBuilder UseRetailPostgresClustering(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSchema(builder);
        builder.Services.AddSingleton<IMembershipTable, PostgresMembershipTable>();
        return builder;
    }

    /// <summary>Orleans reminders stored in PostgreSQL.</summary>
    public static ISiloBuilder AddRetailPostgresReminders(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSchema(builder);
        builder.AddReminders();
        builder.Services.AddSingleton<IReminderTable, PostgresReminderTable>();
        return builder;
    }

    /// <summary>A named grain storage provider (<c>[PersistentState("order", name)]</c>) whose state is jsonb in PostgreSQL.</summary>
    public static ISiloBuilder AddRetailPostgresGrainStorage(this ISiloBuilder builder, string name, Action<PostgresGrainStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        AddSchema(builder);
        // The relay's index lives in the state rows: it replaces the in-memory one of the grains' defaults.
        builder.Services.RemoveAll<IPendingOutboxIndex>();
        builder.Services.AddSingleton<IPendingOutboxIndex, PostgresPendingOutboxIndex>();
        var options = builder.Services.AddOptions<PostgresGrainStorageOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddGrainStorage(name, static (services, providerName) => new PostgresGrainStorage(
            providerName,
            services.GetRequiredService<NpgsqlDataSource>(),
            services.GetRequiredService<RetailSchema>(),
            services.GetRequiredService<IOptionsMonitor<PostgresGrainStorageOptions>>().Get(providerName),
            services.GetRequiredService<IOptions<ClusterOptions>>(),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<GrainStateWriteBatcher>(),
            services.GetRequiredService<ILogger<PostgresGrainStorage>>()));
        return builder;
    }

    private static void AddSchema(ISiloBuilder builder)
    {
        builder.Services.AddRetailPostgresDataSource(builder.Configuration);
        builder.Services.TryAddSingleton<GrainStateWriteBatcher>();
        if (!builder.Services.Any(service => service.ImplementationType == typeof(RetailSchemaLifecycle)))
        {
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RetailSchemaLifecycle>();
        }
    }
}
