using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace Retail.Hosting;

/// <summary>
/// What Retail reads of Orleans' own <c>Orleans</c> section (docs/configuration.md), the same way in silos and clients:
/// ids and ports for the local defaults, and whether a provider is configured at all. Orleans itself applies the
/// providers named there (<c>Orleans:Clustering:ProviderType</c> and the like).
/// </summary>
public sealed class OrleansSettings(IConfigurationSection section)
{
    public static OrleansSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new OrleansSettings(configuration.GetSection("Orleans"));
    }

    public string ClusterId => section["ClusterId"] ?? "retail";

    public string ServiceId => section["ServiceId"] ?? "retail";

    public int SiloPort => section.GetValue("Endpoints:SiloPort", EndpointOptions.DEFAULT_SILO_PORT);

    public int GatewayPort => section.GetValue("Endpoints:GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT);

    /// <summary>Whether <c>Orleans:{path}:ProviderType</c> names a provider (<c>Clustering</c>, <c>Reminders</c>, <c>GrainStorage:{name}</c>).</summary>
    public bool HasProvider(string path) => !string.IsNullOrWhiteSpace(ProviderType(path));

    /// <summary>The provider type <c>Orleans:{path}:ProviderType</c> names, if any.</summary>
    public string? ProviderType(string path) => section[$"{path}:ProviderType"];
}
