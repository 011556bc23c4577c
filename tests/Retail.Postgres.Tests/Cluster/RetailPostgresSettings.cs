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
    /// between its silos and its client, so these keys are set on the silo's own configuration and their providers
    /// applied as Orleans applies them from a deployed silo's configuration.
    /// </summary>
    public static void AddSiloProviders(ISiloBuilder silo)
    {
        var providers = new RetailPostgresProviders();
        foreach (var section in (string[])["Orleans:Reminders", .. StorageNames.All.Select(name => $"Orleans:GrainStorage:{name}")])
        {
            silo.Configuration[$"{section}:ProviderType"] = RetailPostgresProviders.ProviderType;
            providers.Configure(silo, section.StartsWith("Orleans:GrainStorage:", StringComparison.Ordinal) ? section.Split(':')[^1] : null, silo.Configuration.GetSection(section));
        }
    }
}
