using System.Diagnostics;
using Npgsql;
using Retail.Benchmarks.Ceiling;
using Retail.Benchmarks.Hosting;
using Retail.Benchmarks.Load;
using Retail.Benchmarks.Reporting;
using Retail.Benchmarks.Targets;
using Retail.Benchmarks.Workload;
using Retail.Testing.Postgres;

namespace Retail.Benchmarks.Suite;

/// <summary>
/// One invocation: a private durable PostgreSQL, then for each target its own database, stock, a warm-up and every
/// scenario, each run verified against the database; then the report and the chart.
/// </summary>
internal sealed class BenchmarkSuite(BenchmarkOptions options)
{
    private static readonly TimeSpan SettleQuiet = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(20);
    private const int DurationRunCap = 400_000;

    private const string GrowthPrefix = "G-";

    private readonly Catalog catalog = new(options.SkuCount);
    private readonly OrderFactory orders = new(options.Seed);
    /// <summary>Retail's uniform closed-loop peak, once measured: the availability run of every target offers half of it.</summary>
    private double? retailUniformPeak;
    private readonly Dictionary<string, int> uniformPeakConcurrency = new(StringComparer.Ordinal);
    private readonly List<RunResult> runs = [];
    private readonly List<CeilingMeasurement> ceiling = [];
    private readonly List<string> notes = [];
    private WalRecords? walRecords;

    public async Task<BenchmarkReport> RunAsync(string commandLine, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.Now;
        var clock = Stopwatch.StartNew();
        var logDirectory = Path.Combine(options.OutputDirectory, "logs");
        Directory.CreateDirectory(logDirectory);

        ProgressConsole.Step("Starting a private PostgreSQL (durable: fsync on)");
        await using var server = await PostgresLauncher.StartAsync(new PostgresLauncherOptions { Database = "bench", Durable = true }, cancellationToken);
        var postgresVersion = await ReadServerVersionAsync(server.ConnectionString, cancellationToken);
        var machine = MachineInfo.Read(postgresVersion, server.DataDirectory);
        walRecords = new WalRecords(server.ConnectionString);
        await walRecords.InstallAsync(cancellationToken);
        ProgressConsole.Result($"{postgresVersion} on port {server.Port}; {machine.Cores} cores, {machine.MemoryGiB} GiB, {machine.OperatingSystem}");

        if (options.Targets.Contains(BenchmarkOptions.Ceiling))
        {
            await RunCeilingAsync(await server.CreateDatabaseAsync("ceiling", cancellationToken), cancellationToken);
        }

        // Retail first: the availability run of both targets offers orders at half of Retail's uniform peak.
        foreach (var name in new[] { BenchmarkOptions.Retail, BenchmarkOptions.Baseline }.Where(options.Targets.Contains))
        {
            var connectionString = await server.CreateDatabaseAsync(name, cancellationToken);
            await using ITarget target = name == BenchmarkOptions.Retail
                ? new RetailTarget(connectionString, logDirectory, options.RetailEmbedded, options.RetailSettings)
                : new BaselineTarget(connectionString, options.BaselinePoolSize, logDirectory);
            try
            {
                await RunTargetAsync(target, cancellationToken);
            }
            finally
            {
                notes.AddRange(target.Notes.Select(note => $"{target.Name}: {note}"));
            }
        }

        var report = new BenchmarkReport
        {
            StartedAt = startedAt,
            Duration = clock.Elapsed,
            Quick = options.Quick,
            CommandLine = commandLine,
            Machine = machine,
            Settings = new BenchmarkSettings(options.Seed, options.SkuCount, options.Concurrencies, options.Duration.TotalSeconds, options.FlashOrders, options.FlashUnits, options.FlashTimeLimit?.TotalSeconds, options.HotUnits, options.GrowthSkuCounts,
                options.OpenLoopFractions, options.ReadRate, options.BaselinePoolSize, options.Targets, options.Scenarios),
            Ceiling = ceiling,
            Runs = runs,
            Comparisons = ReportAnalysis.Compare(runs),
            Goals = ReportAnalysis.CheckGoals(runs),
            Notes = notes,
        };
        return report;
    }

    private async Task RunCeilingAsync(string connectionString, CancellationToken cancellationToken)
    {
        var commits = new CommitCeiling(connectionString);
        await commits.PrepareAsync(cancellationToken);
        var body = orders.Uniform(catalog, "ceiling", 0);
        foreach (var concurrency in options.Concurrencies)
        {
            var measurement = await ProgressConsole.TrackAsync($"ceiling: jsonb insert commits at {concurrency} connections", 0, options.CeilingDuration,
                _ => commits.RunAsync(concurrency, options.CeilingDuration, body, cancellationToken));
            ceiling.Add(measurement);
            ProgressConsole.Result($"ceiling c={concurrency}: {measurement.CommitsPerSecond:0} commits/s, p99 {measurement.Latency.P99:0.0} ms");
        }
    }

    private async Task RunTargetAsync(ITarget target, CancellationToken cancellationToken)
    {
        ProgressConsole.Step($"{target.Name}: starting");
        await target.StartAsync(cancellationToken);
        await target.SetLocationsAsync(Catalog.Locations, cancellationToken);
        var stock = catalog.UniformStock().ToList();
        var setup = Stopwatch.StartNew();
        await ProgressConsole.TrackAsync($"{target.Name}: stocking {stock.Count} positions", stock.Count, null, async progress =>
        {
            await target.SetStockAsync(stock, progress, cancellationToken);
            return true;
        });
        ProgressConsole.Result($"{target.Name}: {stock.Count} positions stocked in {setup.Elapsed.TotalSeconds:0.0} s");

        var runner = new LoadRunner(target.Client, new Uri(target.Client.BaseAddress!, "/api/v1/orders"));
        var warmUpConcurrency = Math.Min(32, options.Concurrencies.Max());
        await MeasureAsync(target, runner, BenchmarkOptions.Uniform, "warm-up", "warm", warmUpConcurrency, null,
            (key, i) => orders.Uniform(catalog, key, i), options.WarmUpOrders, null, cancellationToken);

        foreach (var scenario in options.Scenarios)
        {
            switch (scenario)
            {
                case BenchmarkOptions.Uniform:
                    await RunUniformAsync(target, runner, cancellationToken);
                    break;
                case BenchmarkOptions.HotSku:
                    await RunHotSkuAsync(target, runner, cancellationToken);
                    break;
                case BenchmarkOptions.FlashSale:
                    await RunFlashSaleAsync(target, runner, cancellationToken);
                    break;
                case BenchmarkOptions.Availability:
                    await RunAvailabilityAsync(target, runner, cancellationToken);
                    break;
                case BenchmarkOptions.Growth:
                    await RunGrowthAsync(target, runner, cancellationToken);
                    break;
                default:
                    throw new ArgumentException($"Unknown scenario '{scenario}'.");
            }
        }
    }

    private async Task RunUniformAsync(ITarget target, LoadRunner runner, CancellationToken cancellationToken)
    {
        var (count, duration) = options.UniformOrders is { } fixedCount ? (fixedCount, (TimeSpan?)null) : (DurationRunCap, options.Duration);
        var closed = new List<RunResult>();
        foreach (var concurrency in options.Concurrencies)
        {
            closed.Add(await MeasureAsync(target, runner, BenchmarkOptions.Uniform, "closed", $"u-c{concurrency}", concurrency, null,
                (key, i) => orders.Uniform(catalog, key, i), count, duration, cancellationToken));
        }

        var best = closed.MaxBy(run => run.OrdersPerSecond)!;
        uniformPeakConcurrency[target.Name] = best.Concurrency!.Value;
        if (target.Name == BenchmarkOptions.Retail)
        {
            retailUniformPeak = best.OrdersPerSecond;
        }

        foreach (var fraction in options.OpenLoopFractions)
        {
            var rate = Math.Max(1, best.OrdersPerSecond * fraction);
            var openCount = (int)Math.Ceiling(rate * options.Duration.TotalSeconds);
            await MeasureAsync(target, runner, BenchmarkOptions.Uniform, "open", $"u-o{fraction * 100:0}", null, rate,
                (key, i) => orders.Uniform(catalog, key, i), openCount, null, cancellationToken);
        }
    }

    /// <summary>
    /// 80% of orders on one SKU at one location whose stock outlasts the run: every run is contention on one
    /// position (the baseline's row lock on one row). Each run has a hot SKU of its own, so each starts empty.
    /// </summary>
    private async Task RunHotSkuAsync(ITarget target, LoadRunner runner, CancellationToken cancellationToken)
    {
        var (count, duration) = options.UniformOrders is { } fixedCount ? (fixedCount, (TimeSpan?)null) : (DurationRunCap, options.Duration);
        var closed = new List<RunResult>();
        foreach (var concurrency in options.Concurrencies)
        {
            var key = $"h-c{concurrency}";
            var sku = await StockOneSkuAsync(target, "HOT-" + key.ToUpperInvariant(), Catalog.HotStock, options.HotUnits, cancellationToken);
            closed.Add(await MeasureAsync(target, runner, BenchmarkOptions.HotSku, "closed", key, concurrency, null,
                (runKey, i) => orders.OneSkuMix(catalog, runKey, i, sku), count, duration, cancellationToken));
        }

        var peak = closed.Max(run => run.OrdersPerSecond);
        foreach (var fraction in options.OpenLoopFractions)
        {
            var key = $"h-o{fraction * 100:0}";
            var sku = await StockOneSkuAsync(target, "HOT-" + key.ToUpperInvariant(), Catalog.HotStock, options.HotUnits, cancellationToken);
            var rate = Math.Max(1, peak * fraction);
            var openCount = (int)Math.Ceiling(rate * options.Duration.TotalSeconds);
            await MeasureAsync(target, runner, BenchmarkOptions.HotSku, "open", key, null, rate,
                (runKey, i) => orders.OneSkuMix(catalog, runKey, i, sku), openCount, null, cancellationToken);
        }
    }

    private async Task RunFlashSaleAsync(ITarget target, LoadRunner runner, CancellationToken cancellationToken)
    {
        var closed = new List<RunResult>();
        foreach (var concurrency in options.Concurrencies)
        {
            var key = $"f-c{concurrency}";
            var sku = await StockOneSkuAsync(target, "FLASH-" + key.ToUpperInvariant(), Catalog.FlashStock, options.FlashUnits, cancellationToken);
            closed.Add(await MeasureAsync(target, runner, BenchmarkOptions.FlashSale, "closed", key, concurrency, null,
                (runKey, i) => orders.OneSkuMix(catalog, runKey, i, sku), options.FlashOrders, options.FlashTimeLimit, cancellationToken));
        }

        var peak = closed.Max(run => run.OrdersPerSecond);
        foreach (var fraction in options.OpenLoopFractions)
        {
            var key = $"f-o{fraction * 100:0}";
            var sku = await StockOneSkuAsync(target, "FLASH-" + key.ToUpperInvariant(), Catalog.FlashStock, options.FlashUnits, cancellationToken);
            var rate = Math.Max(1, peak * fraction);
            var count = Math.Min(options.FlashOrders, (int)Math.Ceiling(rate * options.Duration.TotalSeconds));
            await MeasureAsync(target, runner, BenchmarkOptions.FlashSale, "open", key, null, rate,
                (runKey, i) => orders.OneSkuMix(catalog, runKey, i, sku), count, null, cancellationToken);
        }
    }

    private static async Task<string> StockOneSkuAsync(ITarget target, string sku, Func<string, int, IReadOnlyList<StockSpec>> stock, int units, CancellationToken cancellationToken)
    {
        await target.SetStockAsync(stock(sku, units), null, cancellationToken);
        return sku;
    }

    /// <summary>
    /// Availability reads while uniform orders arrive open loop at half of Retail's uniform peak (both targets get the
    /// same rate); without a measured peak (quick mode, or no uniform run), closed loop at a fixed concurrency.
    /// </summary>
    private async Task RunAvailabilityAsync(ITarget target, LoadRunner runner, CancellationToken cancellationToken)
    {
        var probe = new ReadProbe(target.Client, new Uri(target.Client.BaseAddress!, "/api/v1/availability/" + Catalog.HotSku), options.ReadRate);
        if (options.OpenLoopFractions.Count > 0 && retailUniformPeak is { } peak)
        {
            var rate = Math.Max(1, peak / 2);
            await MeasureAsync(target, runner, BenchmarkOptions.Availability, "open", "a", null, rate,
                (key, i) => orders.Uniform(catalog, key, i), (int)Math.Ceiling(rate * options.Duration.TotalSeconds), null, cancellationToken, probe);
            return;
        }

        var (count, duration) = options.UniformOrders is { } fixedCount ? (fixedCount, (TimeSpan?)null) : (DurationRunCap, options.Duration);
        await MeasureAsync(target, runner, BenchmarkOptions.Availability, "closed", "a", options.AvailabilityConcurrency, null,
            (key, i) => orders.Uniform(catalog, key, i), count, duration, cancellationToken, probe);
    }

    /// <summary>
    /// The uniform mix on catalogues of growing size (SKUs of their own, each at the first location), at the
    /// concurrency of the target's uniform peak: the peak should not depend on how many SKUs exist. The target's
    /// resident memory before and after each run gives its memory per active order.
    /// </summary>
    private async Task RunGrowthAsync(ITarget target, LoadRunner runner, CancellationToken cancellationToken)
    {
        var largest = new Catalog(options.GrowthSkuCounts.Max(), GrowthPrefix, locationCount: 1);
        var stock = largest.UniformStock().ToList();
        var setup = Stopwatch.StartNew();
        await ProgressConsole.TrackAsync($"{target.Name}: stocking {stock.Count} growth positions", stock.Count, null, async progress =>
        {
            await target.SetStockAsync(stock, progress, cancellationToken);
            return true;
        });
        ProgressConsole.Result($"{target.Name}: {stock.Count} growth positions stocked in {setup.Elapsed.TotalSeconds:0.0} s");

        var concurrency = uniformPeakConcurrency.GetValueOrDefault(target.Name, Math.Min(32, options.Concurrencies.Max()));
        var (count, duration) = options.UniformOrders is { } fixedCount ? (fixedCount / 2, (TimeSpan?)null) : (DurationRunCap, options.Duration);
        foreach (var skus in options.GrowthSkuCounts)
        {
            var growth = new Catalog(skus, GrowthPrefix, locationCount: 1);
            await MeasureAsync(target, runner, BenchmarkOptions.Growth, "closed", $"g-{skus}", concurrency, null,
                (key, i) => orders.Uniform(growth, key, i), count, duration, cancellationToken);
        }
    }

    private async Task<RunResult> MeasureAsync(ITarget target, LoadRunner runner, string scenario, string mode, string runKey, int? concurrency, double? rate,
        Func<string, int, byte[]> payload, int count, TimeSpan? duration, CancellationToken cancellationToken, ReadProbe? probe = null)
    {
        var before = await target.ReadSnapshotAsync(runKey, [], cancellationToken);
        var cpuBefore = CpuMeter.Read(target.Processes);
        var memoryBefore = MemoryMeter.Read(target.Processes);
        var label = $"{target.Name} {scenario} {mode} " + (concurrency is { } c ? $"c={c}" : $"{rate:0}/s");

        using var stopReads = new CancellationTokenSource();
        var reads = probe?.RunAsync(stopReads.Token);
        IntakeMeasurement measurement;
        try
        {
            measurement = await ProgressConsole.TrackAsync(label, count, duration, progress => concurrency is { } n
                ? runner.RunClosedAsync(i => payload(runKey, i), count, duration, n, progress, cancellationToken)
                : runner.RunOpenAsync(i => payload(runKey, i), count, rate!.Value, progress, cancellationToken));
        }
        finally
        {
            await stopReads.CancelAsync();
        }

        var cpuAfter = CpuMeter.Read(target.Processes);
        var memoryAfter = MemoryMeter.Read(target.Processes);
        var readResult = reads is null ? ((LatencySummary, IReadOnlyDictionary<string, int>)?)null : await reads;
        var after = await SettleAsync(target, runKey, measurement.Acknowledged, cancellationToken);
        var verification = Verify(before, after, measurement);
        var writes = after.Writes.ToDictionary(
            pair => pair.Key,
            pair => measurement.Acknowledged.Count == 0 ? 0 : (pair.Value - before.Writes.GetValueOrDefault(pair.Key)) / (double)measurement.Acknowledged.Count,
            StringComparer.Ordinal);
        var (rowWrites, commits) = await walRecords!.CountAsync(before.Writes[WriteKinds.WalBytes], after.Writes[WriteKinds.WalBytes], cancellationToken);
        writes[WriteKinds.RowWrites] = measurement.Acknowledged.Count == 0 ? 0 : rowWrites / (double)measurement.Acknowledged.Count;
        writes[WriteKinds.Commits] = measurement.Acknowledged.Count == 0 ? 0 : commits / (double)measurement.Acknowledged.Count;
        var result = new RunResult
        {
            Target = target.Name,
            Scenario = scenario,
            Mode = mode,
            RunKey = runKey,
            Concurrency = concurrency,
            RatePerSecond = rate,
            Sent = measurement.Sent,
            Acknowledged = measurement.Acknowledged.Count,
            OrdersPerSecond = measurement.OrdersPerSecond,
            ElapsedSeconds = measurement.Elapsed.TotalSeconds,
            Latency = measurement.Latency,
            Errors = measurement.Errors,
            Statuses = measurement.Acknowledged.GroupBy(a => a.Status, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            WritesPerOrder = writes,
            Reads = readResult?.Item1,
            ReadErrors = readResult?.Item2,
            Verification = verification,
            LoadAverage = MachineInfo.LoadAverage(),
            CpuMillisecondsPerOrder = cpuAfter.ToDictionary(
                pair => pair.Key,
                pair => measurement.Acknowledged.Count == 0 ? 0 : (pair.Value - cpuBefore.GetValueOrDefault(pair.Key)) * 1000 / measurement.Acknowledged.Count,
                StringComparer.Ordinal),
            ResidentMiBBefore = memoryBefore,
            ResidentMiBAfter = memoryAfter,
        };
        if (mode != "warm-up")
        {
            runs.Add(result);
        }

        var summary = $"{label}: {result.OrdersPerSecond:0} orders/s, p50 {result.Latency.P50:0.0} / p99 {result.Latency.P99:0.0} ms, {measurement.ErrorCount} errors, "
            + string.Join(", ", writes.Select(w => $"{w.Key} {w.Value:0.00}/order"))
            + (result.Reads is { } r ? $"; reads p99 {r.P99:0.00} ms" : "")
            + "; CPU ms/order: " + string.Join(", ", result.CpuMillisecondsPerOrder.Select(cpu => $"{cpu.Key} {cpu.Value:0.0}"));
        ProgressConsole.Result(summary);
        if (!verification.Passed)
        {
            ProgressConsole.Failure($"{label}: correctness FAILED: {string.Join("; ", verification.Failures)}");
            if (mode == "warm-up")
            {
                runs.Add(result);
            }
        }

        return result;
    }

    /// <summary>Waits until the target's exact write counters stop moving (trailing writes belong to the run), then reads.</summary>
    private static async Task<StoreSnapshot> SettleAsync(ITarget target, string runKey, IReadOnlyCollection<AcknowledgedOrder> acknowledged, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var snapshot = await target.ReadSnapshotAsync(runKey, acknowledged, cancellationToken);
        while (deadline.Elapsed < SettleLimit)
        {
            await Task.Delay(SettleQuiet, cancellationToken);
            var next = await target.ReadSnapshotAsync(runKey, acknowledged, cancellationToken);
            var stable = next.ReservedUnitsInStock == snapshot.ReservedUnitsInStock
                && next.Writes.Where(w => w.Key != WriteKinds.WalBytes).All(w => snapshot.Writes.GetValueOrDefault(w.Key) == w.Value);
            snapshot = next;
            if (stable)
            {
                break;
            }
        }

        return snapshot;
    }

    private static Verification Verify(StoreSnapshot before, StoreSnapshot after, IntakeMeasurement measurement)
    {
        var failures = new List<string>();
        var reservedDuringRun = after.ReservedUnitsInStock - before.ReservedUnitsInStock;
        if (after.OversoldPositions.Count > 0)
        {
            failures.Add($"{after.OversoldPositions.Count} oversold positions: {string.Join(", ", after.OversoldPositions.Take(5))}");
        }

        if (after.MissingOrders > 0)
        {
            failures.Add($"{after.MissingOrders} acknowledged orders are not stored");
        }

        if (reservedDuringRun != after.RunUnitsReservedOnOrders)
        {
            failures.Add($"stock gained {reservedDuringRun} reserved units but the run's orders hold {after.RunUnitsReservedOnOrders}");
        }

        if (after.AcknowledgedNotFullyReserved > 0)
        {
            failures.Add($"{after.AcknowledgedNotFullyReserved} orders acknowledged as reserved do not hold every unit");
        }

        if (after.RunOrdersStored < measurement.Acknowledged.Count)
        {
            failures.Add($"{measurement.Acknowledged.Count} orders acknowledged but only {after.RunOrdersStored} stored");
        }

        return new Verification
        {
            Passed = failures.Count == 0,
            Failures = failures,
            PositionsChecked = after.PositionsChecked,
            OversoldPositions = after.OversoldPositions,
            MissingOrders = after.MissingOrders,
            StoredOrders = after.RunOrdersStored,
            UnitsReservedInStock = reservedDuringRun,
            UnitsReservedOnOrders = after.RunUnitsReservedOnOrders,
            AcknowledgedNotFullyReserved = after.AcknowledgedNotFullyReserved,
        };
    }

    private static async Task<string> ReadServerVersionAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 'PostgreSQL ' || current_setting('server_version') || ', fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
