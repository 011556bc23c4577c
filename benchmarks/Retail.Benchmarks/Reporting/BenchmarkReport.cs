using Retail.Benchmarks.Ceiling;
using Retail.Benchmarks.Load;

namespace Retail.Benchmarks.Reporting;

internal sealed record BenchmarkReport
{
    public required DateTimeOffset StartedAt { get; init; }
    public required TimeSpan Duration { get; init; }
    public required bool Quick { get; init; }
    public required string CommandLine { get; init; }
    public required MachineInfo Machine { get; init; }
    public required BenchmarkSettings Settings { get; init; }
    public required IReadOnlyList<CeilingMeasurement> Ceiling { get; init; }
    public required IReadOnlyList<RunResult> Runs { get; init; }
    public required IReadOnlyList<Comparison> Comparisons { get; init; }
    public required IReadOnlyList<GoalCheck> Goals { get; init; }
    public required IReadOnlyList<string> Notes { get; init; }
    public bool CorrectnessPassed => Runs.All(run => run.Verification.Passed);
}

/// <summary>One measured run of one target: a scenario at a closed-loop concurrency or an open-loop rate.</summary>
internal sealed record RunResult
{
    public required string Target { get; init; }
    public required string Scenario { get; init; }
    /// <summary><c>closed</c> (fixed concurrency), <c>open</c> (fixed rate) or <c>warm-up</c>.</summary>
    public required string Mode { get; init; }
    public required string RunKey { get; init; }
    public int? Concurrency { get; init; }
    public double? RatePerSecond { get; init; }
    public required int Sent { get; init; }
    public required int Acknowledged { get; init; }
    public required double OrdersPerSecond { get; init; }
    public required double ElapsedSeconds { get; init; }
    public required LatencySummary Latency { get; init; }
    public required IReadOnlyDictionary<string, int> Errors { get; init; }
    public required IReadOnlyDictionary<string, int> Statuses { get; init; }
    /// <summary>Durable writes during the run (settled afterwards), per acknowledged order, by kind.</summary>
    public required IReadOnlyDictionary<string, double> WritesPerOrder { get; init; }
    public LatencySummary? Reads { get; init; }
    public IReadOnlyDictionary<string, int>? ReadErrors { get; init; }
    public required Verification Verification { get; init; }
    /// <summary>The machine's 1-minute load average when the run ended: above the core count, something else competed for the CPU.</summary>
    public double? LoadAverage { get; init; }
    /// <summary>CPU milliseconds per acknowledged order, by process (the target's, all PostgreSQL backends, the load generator).</summary>
    public IReadOnlyDictionary<string, double> CpuMillisecondsPerOrder { get; init; } = new Dictionary<string, double>();
    /// <summary>Resident memory (MiB) of the target's processes when the run started and when it ended.</summary>
    public IReadOnlyDictionary<string, double> ResidentMiBBefore { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, double> ResidentMiBAfter { get; init; } = new Dictionary<string, double>();
}

internal sealed record Verification
{
    public required bool Passed { get; init; }
    public required IReadOnlyList<string> Failures { get; init; }
    public required int PositionsChecked { get; init; }
    public required IReadOnlyList<string> OversoldPositions { get; init; }
    public required int MissingOrders { get; init; }
    public required int StoredOrders { get; init; }
    public required long UnitsReservedInStock { get; init; }
    public required long UnitsReservedOnOrders { get; init; }
    public required int AcknowledgedNotFullyReserved { get; init; }
}

/// <summary>Retail against the baseline for one scenario: peak closed-loop throughput, and p99 at 80% of each one's peak.</summary>
internal sealed record Comparison(string Scenario, double RetailPeak, double BaselinePeak, double ThroughputRatio, double? RetailP99At80, double? BaselineP99At80, double RetailWritesPerOrder);

/// <summary>A goal and its measured figure; <see cref="Met"/> is null for a figure that is reported, not judged.</summary>
internal sealed record GoalCheck(string Goal, bool? Met, string Measured);

internal sealed record BenchmarkSettings(int Seed, int SkuCount, IReadOnlyList<int> Concurrencies, double DurationSeconds, int FlashOrders, int FlashUnits, double? FlashTimeLimitSeconds, int HotUnits, IReadOnlyList<int> GrowthSkuCounts, IReadOnlyList<double> OpenLoopFractions, double ReadRate, int BaselinePoolSize, IReadOnlyList<string> Targets, IReadOnlyList<string> Scenarios);
