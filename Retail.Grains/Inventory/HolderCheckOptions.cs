using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Retail.Grains.Inventory;

/// <summary>When a position asks an order whether it holds an unconfirmed reservation (docs/configuration.md).</summary>
internal static class HolderCheckOptions
{
    public const string Key = "Reservations:HolderCheckAfter";

    /// <summary>Well beyond any intake's time between its reservations and its order's write.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(1);

    public static TimeSpan From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration[Key] is not { Length: > 0 } value)
        {
            return Default;
        }
        if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var after) || after <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{Key} must be a positive time span such as 00:01:00, not '{value}'.");
        }
        return after;
    }
}
