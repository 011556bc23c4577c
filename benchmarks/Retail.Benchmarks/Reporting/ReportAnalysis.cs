using System.Globalization;
using Retail.Benchmarks.Suite;

namespace Retail.Benchmarks.Reporting;

/// <summary>Turns the runs into per-scenario comparisons and the goals the product is measured against.</summary>
internal static class ReportAnalysis
{
    public static IReadOnlyList<Comparison> Compare(IReadOnlyList<RunResult> runs)
    {
        var comparisons = new List<Comparison>();
        foreach (var scenario in runs.Select(r => r.Scenario).Distinct(StringComparer.Ordinal))
        {
            var retail = runs.Where(r => r.Scenario == scenario && r.Target == BenchmarkOptions.Retail).ToList();
            var baseline = runs.Where(r => r.Scenario == scenario && r.Target == BenchmarkOptions.Baseline).ToList();
            if (retail.Count == 0 || baseline.Count == 0)
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
                WritesPerOrder(retail),
                retail.Where(r => r.Reads is not null).Select(r => (double?)r.Reads!.P99).FirstOrDefault()));
        }

        return comparisons;
    }

    public static IReadOnlyList<GoalCheck> CheckGoals(IReadOnlyList<RunResult> runs)
    {
        var goals = new List<GoalCheck>
        {
            new("zero oversell, every acknowledged order stored, reserved units = units on orders (every run, both targets)",
                runs.All(r => r.Verification.Passed),
                $"{runs.Count(r => r.Verification.Passed)}/{runs.Count} runs pass; oversold positions: {runs.Sum(r => r.Verification.OversoldPositions.Count)}"),
        };
        var comparisons = Compare(runs);
        if (comparisons.FirstOrDefault(c => c.Scenario == BenchmarkOptions.FlashSale) is { } flash)
        {
            goals.Add(new("flash-sale: Retail's throughput at least 3x the baseline's", flash.ThroughputRatio >= 3, Ratio(flash)));
        }

        if (comparisons.FirstOrDefault(c => c.Scenario == BenchmarkOptions.Uniform) is { } uniform)
        {
            goals.Add(new("uniform: Retail's throughput at least the baseline's", uniform.ThroughputRatio >= 1, Ratio(uniform)));
        }

        foreach (var comparison in comparisons.Where(c => c.RetailP99At80 is not null && c.BaselineP99At80 is not null))
        {
            goals.Add(new($"{comparison.Scenario}: Retail's p99 at 80% of its peak no worse than the baseline's at 80% of its peak",
                comparison.RetailP99At80 <= comparison.BaselineP99At80,
                string.Create(CultureInfo.InvariantCulture, $"Retail {comparison.RetailP99At80:0.0} ms vs baseline {comparison.BaselineP99At80:0.0} ms")));
        }

        if (runs.FirstOrDefault(r => r.Target == BenchmarkOptions.Retail && r.Reads is not null) is { Reads: { } reads })
        {
            goals.Add(new("availability: Retail's read p99 under 5 ms while orders run", reads.P99 < 5,
                string.Create(CultureInfo.InvariantCulture, $"p50 {reads.P50:0.00} / p95 {reads.P95:0.00} / p99 {reads.P99:0.00} ms")));
        }

        return goals;
    }

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
