using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Retail.Grains;
using Retail.Postgres.Hosting;

namespace Retail.Postgres.Tests.Cluster;

/// <summary>
/// The configuration a deployed service gets (what Aspire.Hosting.Orleans and the Azure template write): clustering on
/// Retail's PostgreSQL provider for silos and clients, and for silos also reminders and every grain storage.
/// </summary>
internal static class RetailPostgresSettings
{
    /// <summary>What silos and clients share: the database at <paramref name="connectionString"/> and the clustering on it.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> For(string connectionString) =>
    [
        new("ConnectionStrings:retail-db", connectionString),
        new("Orleans:Clustering:ProviderType", RetailPostgresProviders.ProviderType),
    ];

    /// <summary>
    /// What only silos get: reminders and every grain storage on PostgreSQL. A test cluster shares one configuration
    /// between its silos and its client, and a client applies the providers it finds there as well, so these keys go to
    /// the silo host's own configuration, which Orleans reads the silo's providers from as it builds the silo.
    /// </summary>
    public static void AddSiloProviders(IHostBuilder silo) =>
        AddSiloKeys(silo, ["Orleans:Reminders", .. StorageNames.All.Select(StorageSection)]);

    /// <summary>One more grain storage, <paramref name="name"/>, on PostgreSQL, as <see cref="AddSiloProviders"/> puts Retail's.</summary>
    public static void AddGrainStorage(IHostBuilder silo, string name) => AddSiloKeys(silo, [StorageSection(name)]);

    private static string StorageSection(string name) => $"Orleans:GrainStorage:{name}";

    private static void AddSiloKeys(IHostBuilder silo, IEnumerable<string> sections) =>
        silo.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(
            sections.Select(section => new KeyValuePair<string, string?>($"{section}:ProviderType", RetailPostgresProviders.ProviderType))));
}
