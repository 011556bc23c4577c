using System.Globalization;
using Retail.Benchmarks.Suite;

namespace Retail.Benchmarks.Reporting;

/// <summary>Turns the runs into per-scenario comparisons and the goals the product is measured against.</summary>
internal static class ReportAnalysis
{
    /// <summary>
    /// Per scenario that both targets ran closed loop, their peaks side by side (the availability scenario runs open
    /// loop only: its reads have a section of their own).
    /// </summary>
    public static IReadOnlyList<Comparison> Compare(IReadOnlyList<RunResult> runs)
    {
        var comparisons = new List<Comparison>();
        foreach (var scenario in runs.Select(r => r.Scenario).Distinct(StringComparer.Ordinal))
        {
            var retail = runs.Where(r => r.Scenario == scenario && r.Target == BenchmarkOptions.Retail).ToList();
            var baseline = runs.Where(r => r.Scenario == scenario && r.Target == BenchmarkOptions.Baseline).ToList();
            if (!retail.Any(r => r.Mode == "closed") || !baseline.Any(r => r.Mode == "closed"))
            {
                continue;
            }

            var retailPeak = Peak(retail);
            var baselinePeak = Peak(baseline);
            comparisons.Add(new Comparison(
                scenario,
                retailPeak,
                baselinePeak,
                baselinePeak > 0 ? retailPeak / baselinePeak : 0,
                At80(retail),
                At80(baseline),
                WritesPerOrder(retail)));
        }

        return comparisons;
    }

    /// <summary>One row per goal of the product, in the order they are stated; a goal whose runs are missing has no row.</summary>
    public static IReadOnlyList<GoalCheck> CheckGoals(IReadOnlyList<RunResult> runs)
    {
        var goals = new List<GoalCheck>
        {
            new("zero oversell, every acknowledged order stored, reserved units = units on orders (every run, both targets)",
                runs.All(r => r.Verification.Passed),
                $"{runs.Count(r => r.Verification.Passed)}/{runs.Count} runs pass; oversold positions: {runs.Sum(r => r.Verification.OversoldPositions.Count)}"),
        };
        var comparisons = Compare(runs).Where(c => c.Scenario != BenchmarkOptions.Growth).ToList();
        foreach (var (scenario, factor) in new[] { (BenchmarkOptions.HotSku, 3.0), (BenchmarkOptions.Uniform, 1.0), (BenchmarkOptions.FlashSale, 1.0) })
        {
            if (comparisons.FirstOrDefault(c => c.Scenario == scenario) is { } comparison)
            {
                goals.Add(new(Invariant($"{scenario}: Retail's peak orders/s at least {factor:0.#}x the baseline's"), comparison.ThroughputRatio >= factor, Ratio(comparison)));
            }
        }

        if (runs.FirstOrDefault(r => r.Target == BenchmarkOptions.Retail && r.Reads is not null) is { Reads: { } reads } availability)
        {
            var load = availability.RatePerSecond is { } rate ? Invariant($"orders open loop at {rate:0}/s (half of Retail's uniform peak)") : Invariant($"orders closed loop at {availability.Concurrency} clients");
            var baselineReads = runs.FirstOrDefault(r => r.Target == BenchmarkOptions.Baseline && r.Reads is not null)?.Reads;
            goals.Add(new("availability: Retail's read p99 under 5 ms while orders run at half of its peak", reads.P99 < 5,
                Invariant($"p50 {reads.P50:0.00} / p95 {reads.P95:0.00} / p99 {reads.P99:0.00} ms, {load}") + (baselineReads is null ? "" : Invariant($"; baseline p99 {baselineReads.P99:0.00} ms"))));
        }

        foreach (var comparison in comparisons.Where(c => c.RetailP99At80 is not null && c.BaselineP99At80 is not null))
        {
            goals.Add(new($"{comparison.Scenario}: Retail's p99 at 80% of its peak no worse than the baseline's at 80% of its peak",
                comparison.RetailP99At80 <= comparison.BaselineP99At80,
                Invariant($"Retail {comparison.RetailP99At80:0.0} ms at {Rate80(runs, BenchmarkOptions.Retail, comparison.Scenario)} vs baseline {comparison.BaselineP99At80:0.0} ms at {Rate80(runs, BenchmarkOptions.Baseline, comparison.Scenario)}")));
        }

        var uniformRetail = runs.Where(r => r.Target == BenchmarkOptions.Retail && r.Scenario == BenchmarkOptions.Uniform && r.Mode == "closed" && r.Acknowledged > 0).ToList();
        var uniformBaseline = runs.Where(r => r.Target == BenchmarkOptions.Baseline && r.Scenario == BenchmarkOptions.Uniform && r.Mode == "closed" && r.Acknowledged > 0).ToList();
        if (uniformRetail.Count > 0)
        {
            var writes = PerOrder(uniformRetail, DurableWrites);
            var rows = PerOrder(uniformRetail, r => r.WritesPerOrder.GetValueOrDefault(Targets.WriteKinds.RowWrites));
            var commits = PerOrder(uniformRetail, r => r.WritesPerOrder.GetValueOrDefault(Targets.WriteKinds.Commits));
            var baselineRows = PerOrder(uniformBaseline, r => r.WritesPerOrder.GetValueOrDefault(Targets.WriteKinds.RowWrites));
            var byState = uniformRetail[0].WritesPerOrder.Keys.Where(k => k.StartsWith(Targets.WriteKinds.GrainStatePrefix, StringComparison.Ordinal))
                .Select(k => (Kind: k, PerOrder: PerOrder(uniformRetail, r => r.WritesPerOrder.GetValueOrDefault(k)))).Where(w => w.PerOrder > 0.005)
                .Select(w => Invariant($"{w.Kind} {w.PerOrder:0.00}"));
            goals.Add(new("uniform: Retail's durable writes per order at most 2 (grain-state writes and reminder rows, as counted since the first report)", writes <= 2,
                Invariant($"{writes:0.00} ({string.Join(", ", byState)}); from the WAL: {rows:0.00} heap rows (TOAST chunks and outbox delivery marks included) in {commits:0.00} commits, baseline {baselineRows:0.00} rows in 1 commit")));
        }

        if (uniformRetail.Count > 0 && uniformBaseline.Count > 0)
        {
            var retailWal = PerOrder(uniformRetail, Wal);
            var baselineWal = PerOrder(uniformBaseline, Wal);
            var ratio = baselineWal > 0 ? retailWal / baselineWal : 0;
            goals.Add(new("uniform: Retail's WAL bytes per order at most 1.5x the baseline's", ratio <= 1.5,
                Invariant($"Retail {retailWal:0} vs baseline {baselineWal:0} bytes per order: {ratio:0.00}x (full-page images {PerOrder(uniformRetail, r => r.WritesPerOrder.GetValueOrDefault(Targets.WriteKinds.WalFullPageBytes)):0} vs {PerOrder(uniformBaseline, r => r.WritesPerOrder.GetValueOrDefault(Targets.WriteKinds.WalFullPageBytes)):0})")));
        }

        var growth = runs.Where(r => r.Target == BenchmarkOptions.Retail && r.Scenario == BenchmarkOptions.Growth && r.Acknowledged > 0).OrderBy(r => r.RunKey.Length).ThenBy(r => r.RunKey, StringComparer.Ordinal).ToList();
        if (growth.Count >= 2)
        {
            var (small, large) = (growth[0], growth[^1]);
            var ratio = small.OrdersPerSecond > 0 ? large.OrdersPerSecond / small.OrdersPerSecond : 0;
            goals.Add(new(Invariant($"growth: Retail's uniform orders/s with {SkusOf(large)} SKUs within 10% of it with {SkusOf(small)}"), ratio >= 0.9,
                Invariant($"{small.OrdersPerSecond:0} orders/s at {SkusOf(small)} SKUs, {large.OrdersPerSecond:0} at {SkusOf(large)} ({large.Concurrency} clients): {ratio:0.00}x")));
            goals.Add(new("growth: Retail's silo memory per 10 000 active orders (reported)", null, string.Join("; ", growth.Select(MemoryPerOrders))));
        }

        return goals;
    }

    /// <summary>The silo's resident memory growth over a run, per 10 000 orders the run created (all still active at its end).</summary>
    private static string MemoryPerOrders(RunResult run)
    {
        const string Silo = "retail-silo";
        var name = run.ResidentMiBAfter.ContainsKey(Silo) ? Silo : run.ResidentMiBAfter.Keys.FirstOrDefault() ?? Silo;
        var before = run.ResidentMiBBefore.GetValueOrDefault(name);
        var after = run.ResidentMiBAfter.GetValueOrDefault(name);
        var per10K = run.Acknowledged > 0 ? (after - before) * 10_000 / run.Acknowledged : 0;
        return Invariant($"{SkusOf(run)} SKUs: {per10K:0} MiB per 10k orders ({name} {before:0} -> {after:0} MiB over {run.Acknowledged} orders)");
    }

    private static string SkusOf(RunResult run) => run.RunKey["g-".Length..];

    private static string Rate80(IReadOnlyList<RunResult> runs, string target, string scenario) =>
        runs.FirstOrDefault(r => r.Target == target && r.Scenario == scenario && r.Mode == "open" && r.RunKey.EndsWith("-o80", StringComparison.Ordinal)) is { } run
            ? Invariant($"{run.RatePerSecond:0}/s offered, {run.OrdersPerSecond:0}/s served")
            : "-";

    private static double PerOrder(IReadOnlyList<RunResult> runs, Func<RunResult, double> perOrder)
    {
        var orders = runs.Sum(r => r.Acknowledged);
        return orders == 0 ? 0 : runs.Sum(r => r.Acknowledged * perOrder(r)) / orders;
    }

    private static double DurableWrites(RunResult run) => GrainWrites(run) + run.WritesPerOrder.GetValueOrDefault(Targets.WriteKinds.Reminders);

    private static double Wal(RunResult run) => run.WritesPerOrder.GetValueOrDefault(Targets.WriteKinds.WalBytes);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static double Peak(IEnumerable<RunResult> runs) => runs.Where(r => r.Mode == "closed").Select(r => r.OrdersPerSecond).DefaultIfEmpty(0).Max();

    private static double? At80(IEnumerable<RunResult> runs) => runs.Where(r => r.Mode == "open" && r.RunKey.EndsWith("-o80", StringComparison.Ordinal)).Select(r => (double?)r.Latency.P99).FirstOrDefault();

    /// <summary>Grain-state writes (exact) per acknowledged order, over the scenario's closed-loop runs.</summary>
    private static double WritesPerOrder(IEnumerable<RunResult> runs)
    {
        var closed = runs.Where(r => r.Mode == "closed" && r.Acknowledged > 0).ToList();
        var orders = closed.Sum(r => r.Acknowledged);
        return orders == 0 ? 0 : closed.Sum(r => r.Acknowledged * GrainWrites(r)) / orders;
    }

    public static double GrainWrites(RunResult run) =>
        run.WritesPerOrder.Where(w => w.Key.StartsWith(Targets.WriteKinds.GrainStatePrefix, StringComparison.Ordinal)).Sum(w => w.Value);

    private static string Ratio(Comparison comparison) => string.Create(CultureInfo.InvariantCulture,
        $"Retail {comparison.RetailPeak:0} vs baseline {comparison.BaselinePeak:0} orders/s (peak closed-loop): {comparison.ThroughputRatio:0.00}x");
}
