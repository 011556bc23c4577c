namespace Retail.Api.Operations;

/// <summary>GET /kpis: the business figures of today (UTC) and of the work still open. docs/api.md defines each one.</summary>
public sealed record KpiReport
{
    public DateTimeOffset AsOf { get; init; }
    /// <summary>Midnight UTC: "today" starts here.</summary>
    public DateTimeOffset Since { get; init; }
    public OrdersToday Orders { get; init; } = new();
    /// <summary>Share (0..1) of today's orders that are OnHold, Backordered or Cancelled.</summary>
    public double FalloutRate { get; init; }
    public OpenExceptions Exceptions { get; init; } = new();
    /// <summary>receivedAt to shippedAt of the orders that shipped today.</summary>
    public LatencyPercentiles FulfilmentLatency { get; init; } = new();
    /// <summary>releasedAt to postingAcceptedAt of the postings the ERP accepted today.</summary>
    public LatencyPercentiles ErpPostingDelay { get; init; } = new();
    public InventoryVariance InventoryVariance { get; init; } = new();
    public RefundBacklog RefundBacklog { get; init; } = new();
    /// <summary>
    /// Integration failure recovery time: an exception record's raise to its resolution, over the records created in the
    /// look-back window and resolved since, by kind.
    /// </summary>
    public IReadOnlyDictionary<string, LatencyPercentiles> RecoveryTimeByKind { get; init; } = new Dictionary<string, LatencyPercentiles>();
}

public sealed record OrdersToday
{
    public int Total { get; init; }
    public IReadOnlyDictionary<string, int> ByChannel { get; init; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, int> ByStatus { get; init; } = new Dictionary<string, int>();
}

public sealed record OpenExceptions
{
    public int Count { get; init; }
    /// <summary>Age of the oldest open record in seconds; null when none is open.</summary>
    public double? OldestAgeSeconds { get; init; }
    public IReadOnlyDictionary<string, int> ByKind { get; init; } = new Dictionary<string, int>();
}

public sealed record LatencyPercentiles
{
    /// <summary>How many orders (or records) the percentiles are computed over.</summary>
    public int Count { get; init; }
    public double? P50Seconds { get; init; }
    public double? P95Seconds { get; init; }
}

public sealed record InventoryVariance
{
    /// <summary>InventoryVariance exception records created today.</summary>
    public int Today { get; init; }
    /// <summary>Of those, still open.</summary>
    public int OpenToday { get; init; }
}

public sealed record RefundBacklog
{
    /// <summary>Orders (received in the look-back window) with money owed back and not yet confirmed.</summary>
    public int Count { get; init; }
    public decimal Amount { get; init; }
}
