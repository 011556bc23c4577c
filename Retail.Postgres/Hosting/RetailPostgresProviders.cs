using Microsoft.Extensions.Configuration;
using Orleans.Providers;
using Retail.Postgres.Connection;
using Retail.Postgres.Hosting;

[assembly: RegisterProvider(RetailPostgresProviders.ProviderType, "Clustering", "Silo", typeof(RetailPostgresProviders))]
[assembly: RegisterProvider(RetailPostgresProviders.ProviderType, "Clustering", "Client", typeof(RetailPostgresProviders))]
[assembly: RegisterProvider(RetailPostgresProviders.ProviderType, "GrainStorage", "Silo", typeof(RetailPostgresProviders))]
[assembly: RegisterProvider(RetailPostgresProviders.ProviderType, "Reminders", "Silo", typeof(RetailPostgresProviders))]

namespace Retail.Postgres.Hosting;

/// <summary>
/// Retail's PostgreSQL providers under Orleans' provider registration: <c>Orleans:Clustering:ProviderType</c>,
/// <c>Orleans:GrainStorage:{name}:ProviderType</c> and <c>Orleans:Reminders:ProviderType</c> set to
/// <see cref="ProviderType"/> select them, and the section's <c>ServiceKey</c> names the connection string
/// (<c>ConnectionStrings:{ServiceKey}</c>, default <c>retail-db</c>). This is what Aspire.Hosting.Orleans writes
/// locally and what the Azure deployment sets.
/// </summary>
public sealed class RetailPostgresProviders : IProviderBuilder<ISiloBuilder>, IProviderBuilder<IClientBuilder>
{
    /// <summary>The provider-type name that selects Retail's PostgreSQL providers.</summary>
    public const string ProviderType = "RetailPostgres";

    public void Configure(ISiloBuilder builder, string? name, IConfigurationSection configurationSection)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configurationSection);
        builder.Services.AddRetailPostgresDataSource(builder.Configuration, ConnectionStringName(configurationSection));
        switch (Kind(configurationSection))
        {
            case "Clustering":
                builder.UseRetailPostgresClustering();
                break;
            case "Reminders":
                builder.AddRetailPostgresReminders();
                break;
            default:
                builder.AddRetailPostgresGrainStorage(name ?? throw new InvalidOperationException($"{configurationSection.Path} needs a provider name."));
                break;
        }
    }

    public void Configure(IClientBuilder builder, string? name, IConfigurationSection configurationSection)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configurationSection);
        builder.Services.AddRetailPostgresDataSource(builder.Configuration, ConnectionStringName(configurationSection));
        builder.UseRetailPostgresClustering(builder.Configuration);
    }

    private static string ConnectionStringName(IConfigurationSection section) =>
        section["ServiceKey"] is { Length: > 0 } key ? key : RetailDataSourceFactory.ConnectionStringName;

    /// <summary>The provider kind from the section's path: <c>Orleans:Clustering</c>, <c>Orleans:Reminders</c> or <c>Orleans:GrainStorage:{name}</c>.</summary>
    private static string Kind(IConfigurationSection section) =>
        section.Path.Split(':') is [_, var kind, ..] ? kind : section.Key;
}
