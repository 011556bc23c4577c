using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Retail.Grains.Orders;

/// <summary>The order grain's settings, read from configuration (docs/configuration.md).</summary>
internal sealed record OrderOptions
{
    public const string PaymentTimeoutKey = "Reservations:PaymentTimeout";
    public const string DirectoryKey = "Orders:Directory";

    /// <summary>How long an unpaid reservation holds stock.</summary>
    public TimeSpan PaymentTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Whether order grains report their summary to the in-memory order directory (embedded mode, no PostgreSQL).</summary>
    public bool ReportToDirectory { get; init; } = true;

    public static OrderOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new OrderOptions();
        if (configuration[PaymentTimeoutKey] is { Length: > 0 } timeout)
        {
            if (!TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var parsed) || parsed <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"{PaymentTimeoutKey} must be a positive time span such as 00:15:00, not '{timeout}'.");
            }
            options = options with { PaymentTimeout = parsed };
        }
        if (configuration[DirectoryKey] is { Length: > 0 } directory)
        {
            if (!bool.TryParse(directory, out var report))
            {
                throw new InvalidOperationException($"{DirectoryKey} must be true or false, not '{directory}'.");
            }
            options = options with { ReportToDirectory = report };
        }
        return options;
    }
}
