using System.Globalization;
using System.Text;
using System.Text.Json;
using Retail.Contracts;

namespace Retail.Benchmarks.Reporting;

/// <summary>Writes report.json (everything measured), report.md (the same, to read) and chart.png.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new(RetailJson.Options) { WriteIndented = true };

    public static async Task WriteAsync(BenchmarkReport report, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.json"), JsonSerializer.Serialize(report, JsonOptions), cancellationToken);
        var chart = ChartWriter.Write(report, Path.Combine(directory, "chart.png"));
        await File.WriteAllTextAsync(Path.Combine(directory, "report.md"), Markdown(report, chart), cancellationToken);
    }

    private static string Markdown(BenchmarkReport report, bool chart)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        Line($"# Retail benchmark, {report.StartedAt:yyyy-MM-dd HH:mm zzz}{(report.Quick ? " (quick: correctness only)" : "")}");
        md.AppendLine();
        Line($"`{report.CommandLine}`, {report.Duration.TotalMinutes:0.0} minutes. Correctness: **{(report.CorrectnessPassed ? "passed" : "FAILED")}**.");
        md.AppendLine();
        var m = report.Machine;
        Line($"Machine: {m.Cores} cores ({m.Cpu}), {m.MemoryGiB} GiB, {m.OperatingSystem}, {m.DotNet}, {m.PostgreSql}, data on {m.Disk}. Everything (PostgreSQL, the targets, the load generator) shares this machine; the runs' `load avg` column is the 1-minute load average when each run ended. It counts the run's own processes (PostgreSQL's backends, the targets' and the load generator's threads) as well as anything else on the machine, so it is above {m.Cores} whenever the CPU is saturated; compare it between the runs of one report: a run whose figure stands out had company.");
        md.AppendLine();
        var s = report.Settings;
        Line($"Settings: seed {s.Seed}, {s.SkuCount} SKUs x 5 locations, closed-loop concurrencies {string.Join(", ", s.Concurrencies)}, {s.DurationSeconds:0} s per timed run, flash sale {s.FlashOrders} orders for {s.FlashUnits} units{(s.FlashTimeLimitSeconds is { } limit ? $" (or {limit:0} s, whichever ends first)" : "")}, {(s.OpenLoopFractions.Count == 0 ? "no open loop" : $"open loop at {string.Join(" and ", s.OpenLoopFractions.Select(f => $"{f:P0}"))} of each target's own closed-loop peak")}, availability reads at {s.ReadRate:0}/s, baseline pool {s.BaselinePoolSize} connections.");
        md.AppendLine();

        foreach (var note in report.Notes)
        {
            md.AppendLine("> " + note).AppendLine();
        }

        if (report.Goals.Count > 0)
        {
            md.AppendLine("## Goals").AppendLine().AppendLine("| goal | met | measured |").AppendLine("| --- | --- | --- |");
            foreach (var goal in report.Goals)
            {
                Line($"| {goal.Goal} | {goal.Met switch { true => "yes", false => "**no**", null => "reported" }} | {goal.Measured} |");
            }

            md.AppendLine();
        }

        if (report.Comparisons.Count > 0)
        {
            md.AppendLine("## Retail / baseline").AppendLine()
                .AppendLine("| scenario | Retail peak orders/s | baseline peak orders/s | ratio | Retail p99 at 80% (ms) | baseline p99 at 80% (ms) | Retail grain writes per order |")
                .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var c in report.Comparisons)
            {
                Line($"| {c.Scenario} | {c.RetailPeak:0} | {c.BaselinePeak:0} | {c.ThroughputRatio:0.00}x | {Maybe(c.RetailP99At80)} | {Maybe(c.BaselineP99At80)} | {c.RetailWritesPerOrder:0.00} |");
            }

            md.AppendLine();
        }

        if (report.Ceiling.Count > 0)
        {
            md.AppendLine("## Raw ceiling: single-row jsonb insert commits").AppendLine()
                .AppendLine("| connections | commits/s | p50 (ms) | p99 (ms) |").AppendLine("| ---: | ---: | ---: | ---: |");
            foreach (var c in report.Ceiling)
            {
                Line($"| {c.Concurrency} | {c.CommitsPerSecond:0} | {c.Latency.P50:0.00} | {c.Latency.P99:0.00} |");
            }

            md.AppendLine();
        }

        md.AppendLine("## Runs").AppendLine()
            .AppendLine("Latency is per order, from the send (closed loop) or from the intended send time (open loop), in ms. Writes per order: durable writes during the run and until they settle, per acknowledged order.")
            .AppendLine()
            .AppendLine("| target | scenario | load | orders | orders/s | p50 | p95 | p99 | max | errors | answered | writes per order | load avg | correct |")
            .AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | --- |");
        foreach (var r in report.Runs)
        {
            var load = r.Concurrency is { } c ? $"closed, {c} clients" : string.Create(CultureInfo.InvariantCulture, $"open, {r.RatePerSecond:0}/s");
            var errors = r.Errors.Count == 0 ? "0" : string.Join(", ", r.Errors.Select(e => $"{e.Key}: {e.Value}"));
            var statuses = string.Join(", ", r.Statuses.OrderByDescending(x => x.Value).Select(x => $"{x.Key} {x.Value}"));
            var writes = string.Join(", ", r.WritesPerOrder.Where(w => w.Value > 0.005).Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Key} {w.Value:0.00}")));
            var correct = r.Verification.Passed ? "yes" : "**no**: " + string.Join("; ", r.Verification.Failures);
            Line($"| {r.Target} | {r.Scenario} | {load} | {r.Acknowledged}/{r.Sent} | {r.OrdersPerSecond:0} | {r.Latency.P50:0.0} | {r.Latency.P95:0.0} | {r.Latency.P99:0.0} | {r.Latency.Max:0} | {errors} | {statuses} | {writes} | {r.LoadAverage:0.0} | {correct} |");
        }

        md.AppendLine();
        var reads = report.Runs.Where(r => r.Reads is not null).ToList();
        if (reads.Count > 0)
        {
            md.AppendLine("## Availability reads under load").AppendLine()
                .AppendLine("| target | reads | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | errors |").AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var r in reads)
            {
                var errors = r.ReadErrors is { Count: > 0 } e ? string.Join(", ", e.Select(x => $"{x.Key}: {x.Value}")) : "0";
                Line($"| {r.Target} | {r.Reads!.Count} | {r.Reads.P50:0.00} | {r.Reads.P95:0.00} | {r.Reads.P99:0.00} | {r.Reads.Max:0.0} | {errors} |");
            }

            md.AppendLine();
        }

        md.AppendLine("## Correctness checks").AppendLine()
            .AppendLine("After every run, from the target's database: no position with reservations above on hand minus safety stock; every acknowledged order stored; the units reserved in stock during the run equal the units the run's orders hold; every order acknowledged as Reserved or Released holds all its units.")
            .AppendLine()
            .AppendLine("| target | scenario | run | positions checked | oversold | missing | stored orders | units reserved in stock | units on orders |")
            .AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in report.Runs)
        {
            var v = r.Verification;
            Line($"| {r.Target} | {r.Scenario} | {r.RunKey} | {v.PositionsChecked} | {v.OversoldPositions.Count} | {v.MissingOrders} | {v.StoredOrders} | {v.UnitsReservedInStock} | {v.UnitsReservedOnOrders} |");
        }

        md.AppendLine().AppendLine("## Where the CPU went").AppendLine()
            .AppendLine("CPU milliseconds per acknowledged order during each run, by process (user + system time from /proc). With every process on the same cores, the sum bounds throughput: at 100% of the machine, orders/s <= cores x 1000 / total.")
            .AppendLine()
            .AppendLine("| target | scenario | run | by process | total |").AppendLine("| --- | --- | --- | --- | ---: |");
        foreach (var r in report.Runs.Where(r => r.CpuMillisecondsPerOrder.Count > 0))
        {
            var parts = string.Join(", ", r.CpuMillisecondsPerOrder.OrderByDescending(c => c.Value).Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key} {c.Value:0.0}")));
            Line($"| {r.Target} | {r.Scenario} | {r.RunKey} | {parts} | {r.CpuMillisecondsPerOrder.Values.Sum():0.0} |");
        }

        if (chart)
        {
            md.AppendLine().AppendLine("## Chart").AppendLine().AppendLine("![throughput and p99 against concurrency](chart.png)");
        }

        return md.ToString();
    }

    private static string Maybe(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
