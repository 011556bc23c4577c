using Retail.Benchmarks.Load;
using Retail.Benchmarks.Workload;

namespace Retail.Benchmarks.Targets;

/// <summary>A system under test: started, stocked, driven over HTTP and checked against its database.</summary>
internal interface ITarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Authenticated, with the target's base address.</summary>
    HttpClient Client { get; }

    /// <summary>What the report must say about how the target ran (deviations from the intended set-up).</summary>
    IReadOnlyList<string> Notes { get; }

    /// <summary>The target's own processes by name (for CPU accounting).</summary>
    IReadOnlyDictionary<string, int> Processes { get; }

    Task StartAsync(CancellationToken cancellationToken);

    Task SetLocationsAsync(IReadOnlyList<LocationSpec> locations, CancellationToken cancellationToken);

    Task SetStockAsync(IReadOnlyList<StockSpec> stock, Action<int>? progress, CancellationToken cancellationToken);

    /// <summary>What the database holds: reserved units, oversold positions, the run's orders, durable writes so far.</summary>
    Task<StoreSnapshot> ReadSnapshotAsync(string runKey, IReadOnlyCollection<AcknowledgedOrder> acknowledged, CancellationToken cancellationToken);
}

/// <summary>
/// The database's view after (or before) a run. <see cref="Writes"/> counts durable writes by kind: grain state
/// writes by state name for Retail (exact: every write bumps the row's version), committed transactions for both.
/// </summary>
internal sealed record StoreSnapshot
{
    public required long ReservedUnitsInStock { get; init; }
    public required int PositionsChecked { get; init; }
    public required IReadOnlyList<string> OversoldPositions { get; init; }
    public required int MissingOrders { get; init; }
    public required int RunOrdersStored { get; init; }
    public required long RunUnitsReservedOnOrders { get; init; }
    /// <summary>Acknowledged as Reserved or Released but not holding every ordered unit in the database.</summary>
    public required int AcknowledgedNotFullyReserved { get; init; }
    public required IReadOnlyDictionary<string, long> Writes { get; init; }
}
