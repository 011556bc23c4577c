using System.Net;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace Retail.Hosting;

/// <summary>The <c>Orleans</c> configuration section (docs/configuration.md), read the same way by silos and clients.</summary>
public sealed record OrleansSettings(
    string ClusterId, string ServiceId, string Clustering, string Storage, int SiloPort, int GatewayPort, IPAddress? AdvertisedAddress)
{
    public const string Localhost = "Localhost";
    public const string Memory = "Memory";
    public const string Postgres = "Postgres";

    public static OrleansSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Orleans");
        var advertised = section["AdvertisedIPAddress"];
        return new OrleansSettings(
            section["ClusterId"] ?? "retail",
            section["ServiceId"] ?? "retail",
            section["Membership"] ?? Localhost,
            section["Storage"] ?? Memory,
            section.GetValue("SiloPort", EndpointOptions.DEFAULT_SILO_PORT),
            section.GetValue("GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT),
            string.IsNullOrWhiteSpace(advertised) ? null : IPAddress.Parse(advertised));
    }

    public static InvalidOperationException Unsupported(string key, string value) =>
        new($"{key} = '{value}' is not supported. See docs/configuration.md for the values.");
}
