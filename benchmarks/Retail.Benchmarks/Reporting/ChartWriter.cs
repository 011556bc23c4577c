using ScottPlot;
using Retail.Benchmarks.Suite;

namespace Retail.Benchmarks.Reporting;

/// <summary>Throughput and p99 against closed-loop concurrency, both targets, one row per order scenario.</summary>
internal static class ChartWriter
{
    public static bool Write(BenchmarkReport report, string path)
    {
        var scenarios = report.Runs.Where(r => r.Mode == "closed" && r.Scenario != BenchmarkOptions.Availability && r.Scenario != BenchmarkOptions.Growth)
            .Select(r => r.Scenario).Distinct(StringComparer.Ordinal).ToList();
        if (scenarios.Count == 0)
        {
            return false;
        }

        var multiplot = new Multiplot();
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows: scenarios.Count, columns: 2);
        while (multiplot.Subplots.Count < scenarios.Count * 2)
        {
            multiplot.AddPlot();
        }

        for (var row = 0; row < scenarios.Count; row++)
        {
            var scenario = scenarios[row];
            var throughput = multiplot.GetPlot(row * 2);
            var latency = multiplot.GetPlot(row * 2 + 1);
            foreach (var (target, color) in new[] { (BenchmarkOptions.Retail, Colors.Blue), (BenchmarkOptions.Baseline, Colors.OrangeRed) })
            {
                var runs = report.Runs.Where(r => r.Target == target && r.Scenario == scenario && r.Mode == "closed" && r.Concurrency is not null)
                    .OrderBy(r => r.Concurrency).ToList();
                if (runs.Count == 0)
                {
                    continue;
                }

                double[] xs = [.. runs.Select(r => Math.Log2(r.Concurrency!.Value))];
                var orders = throughput.Add.Scatter(xs, [.. runs.Select(r => r.OrdersPerSecond)], color);
                orders.LegendText = target;
                var p99 = latency.Add.Scatter(xs, [.. runs.Select(r => r.Latency.P99)], color);
                p99.LegendText = target;
            }

            Style(throughput, $"{scenario}: throughput", "orders/s", report);
            Style(latency, $"{scenario}: p99 latency", "p99 (ms)", report);
        }

        multiplot.SavePng(path, 1400, 480 * scenarios.Count);
        return true;
    }

    private static void Style(Plot plot, string title, string yLabel, BenchmarkReport report)
    {
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.XLabel("concurrent clients");
        var ticks = report.Settings.Concurrencies.Select(c => new Tick(Math.Log2(c), c.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.AutoScale();
        var limits = plot.Axes.GetLimits();
        plot.Axes.SetLimitsY(0, Math.Max(1, limits.Top * 1.15));
        if (report.Settings.Concurrencies.Count > 0)
        {
            plot.Axes.SetLimitsX(Math.Log2(report.Settings.Concurrencies.Min()) - 0.5, Math.Log2(report.Settings.Concurrencies.Max()) + 0.5);
        }
        plot.ShowLegend(Alignment.UpperLeft);
    }
}
