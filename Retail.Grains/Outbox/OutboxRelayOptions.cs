namespace Retail.Grains.Outbox;

/// <summary>The outbox relay (<c>Relay</c> section; docs/messaging.md, "The outbox relay").</summary>
public sealed class OutboxRelayOptions
{
    public const string Section = "Relay";

    /// <summary>How often the relay looks for grains whose stored outbox holds undelivered effects (also once at start).</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many such grains one scan wakes.</summary>
    public int ScanBatchSize { get; set; } = 500;

    /// <summary>How long one delivery attempt may take before it counts as failed and the destination backs off.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest pause between two attempts on a failing destination (it doubles from 200 ms up to this).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per destination (<c>erp-outbound</c>, <c>retail-events</c>, ...): a limit on its delivery rate.</summary>
    public Dictionary<string, DestinationOptions> Destinations { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<string> Validate()
    {
        if (ScanInterval <= TimeSpan.Zero)
        {
            yield return "Relay:ScanInterval must be positive.";
        }
        if (ScanBatchSize < 1)
        {
            yield return "Relay:ScanBatchSize must be at least 1.";
        }
        if (AttemptTimeout <= TimeSpan.Zero)
        {
            yield return "Relay:AttemptTimeout must be positive.";
        }
        if (MaxBackoff <= TimeSpan.Zero)
        {
            yield return "Relay:MaxBackoff must be positive.";
        }
        foreach (var (name, destination) in Destinations)
        {
            if (destination.MessagesPerSecond is < 0)
            {
                yield return $"Relay:Destinations:{name}:MessagesPerSecond must not be negative.";
            }
        }
    }
}

/// <summary>One destination's limits.</summary>
public sealed class DestinationOptions
{
    /// <summary>At most this many deliveries per second from each silo (none: as fast as the destination accepts).</summary>
    public double? MessagesPerSecond { get; set; }
}
