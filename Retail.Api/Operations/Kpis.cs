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
    /// <summary>Effects written to the grains' outboxes and not yet delivered, per destination (erp-outbound, retail-events, ...).</summary>
    public IReadOnlyDictionary<string, long> OutboxBacklog { get; init; } = new Dictionary<string, long>();
    /// <summary>
    /// Integration failure recovery time: an exception record's raise to its resolution, over the records created in the
    /// look-back window and resolved since, by kind.
    /// </summary>
    public IReadOnlyDictionary<string, LatencyPercentiles> RecoveryTimeByKind { get; init; } = new Dictionary<string, LatencyPercentiles>();
    /// <summary>Return processing cycle time over the returns authorised in the look-back window, stage by stage.</summary>
    public ReturnCycleTime ReturnCycleTime { get; init; } = new();
    /// <summary>Of today's orders, how many needed a person: an exception of theirs retried or resolved by hand.</summary>
    public ManualTouchRate ManualTouchRate { get; init; } = new();
}

public sealed record ReturnCycleTime
{
    /// <summary>Authorised to received (the goods arrived), over the returns received.</summary>
    public LatencyPercentiles AuthorizedToReceived { get; init; } = new();
    /// <summary>Received to refunded (the refund confirmed), over the returns received and refunded.</summary>
    public LatencyPercentiles ReceivedToRefunded { get; init; } = new();
    /// <summary>Authorised to refunded: the whole cycle, over the returns refunded.</summary>
    public LatencyPercentiles AuthorizedToRefunded { get; init; } = new();
}

public sealed record ManualTouchRate
{
    /// <summary>Orders received today.</summary>
    public int Orders { get; init; }
    /// <summary>Of those, orders with an exception record a person retried or resolved.</summary>
    public int Touched { get; init; }
    /// <summary>Touched orders per 100 orders (0 when there are no orders).</summary>
    public double PerHundredOrders { get; init; }
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
