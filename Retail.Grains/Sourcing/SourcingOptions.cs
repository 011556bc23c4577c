using Microsoft.Extensions.Configuration;
using Retail.Contracts.Orders;

namespace Retail.Grains.Sourcing;

/// <summary>Sourcing settings, read from configuration (docs/configuration.md).</summary>
internal sealed record SourcingOptions
{
    public const string PromiseFromInboundKey = "Sourcing:PromiseFromInbound";

    /// <summary>The channels whose orders may be promised from inbound supply; by default web and callcenter.</summary>
    public IReadOnlySet<string> PromiseFromInbound { get; init; } = new HashSet<string>(StringComparer.Ordinal) { Channels.Web, Channels.CallCenter };

    public bool Promises(string channel) => PromiseFromInbound.Contains(channel);

    /// <summary>Reads <c>Sourcing:PromiseFromInbound:{channel}</c> = true or false; channels not named keep their default.</summary>
    public static SourcingOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var channels = new HashSet<string>(new SourcingOptions().PromiseFromInbound, StringComparer.Ordinal);
        foreach (var setting in configuration.GetSection(PromiseFromInboundKey).GetChildren())
        {
            if (!bool.TryParse(setting.Value, out var allowed))
            {
                throw new InvalidOperationException($"{PromiseFromInboundKey}:{setting.Key} must be true or false, not '{setting.Value}'.");
            }
            if (allowed)
            {
                channels.Add(setting.Key);
            }
            else
            {
                channels.Remove(setting.Key);
            }
        }
        return new SourcingOptions { PromiseFromInbound = channels };
    }
}
