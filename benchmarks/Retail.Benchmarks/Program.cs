using System.CommandLine;
using System.Globalization;
using Retail.Benchmarks.Baseline;
using Retail.Benchmarks.Hosting;
using Retail.Benchmarks.Reporting;
using Retail.Benchmarks.Suite;

var quick = new Option<bool>("--quick") { Description = "Correctness only, in under three minutes: small scenarios, one concurrency; exits non-zero on any correctness failure." };
var targets = new Option<string[]>("--targets") { Description = "retail, baseline, ceiling (comma-separated)", DefaultValueFactory = _ => [.. BenchmarkOptions.AllTargets], AllowMultipleArgumentsPerToken = true };
var scenarios = new Option<string[]>("--scenarios") { Description = "uniform, hot-sku, flash-sale, availability, growth (comma-separated)", DefaultValueFactory = _ => [.. BenchmarkOptions.AllScenarios], AllowMultipleArgumentsPerToken = true };
var concurrency = new Option<int[]>("--concurrency") { Description = "closed-loop client counts (space-separated)", AllowMultipleArgumentsPerToken = true };
var duration = new Option<int?>("--duration") { Description = "seconds per timed run (default 20)" };
var skus = new Option<int?>("--skus") { Description = "uniform catalogue size (default 10000 SKUs, each at 5 locations)" };
var seed = new Option<int?>("--seed") { Description = "payload seed (same payloads for every target)" };
var output = new Option<string?>("--output") { Description = "report folder (default benchmarks/results/<yyyy-MM-dd>)" };
var retailHosting = new Option<string>("--retail-hosting") { Description = "separate (the silo and the API, two processes) or embedded (the API hosts the silo)", DefaultValueFactory = _ => "separate" };
var retailSetting = new Option<string[]>("--retail-setting") { Description = "NAME=VALUE environment variables for Retail's processes (a setting under measurement); repeatable", AllowMultipleArgumentsPerToken = true };

var root = new RootCommand("Retail against the conventional one-transaction-per-order design and the disk's commit ceiling, on one private PostgreSQL.")
{
    quick, targets, scenarios, concurrency, duration, skus, seed, output, retailHosting, retailSetting,
};
root.SetAction(async (parse, cancellationToken) =>
{
    var options = new BenchmarkOptions
    {
        Targets = Split(parse.GetValue(targets)!, BenchmarkOptions.AllTargets, "--targets"),
        Scenarios = Split(parse.GetValue(scenarios)!, BenchmarkOptions.AllScenarios, "--scenarios"),
    };
    if (parse.GetValue(quick))
    {
        options = BenchmarkOptions.QuickDefaults(options);
    }

    if (parse.GetValue(concurrency) is { Length: > 0 } counts)
    {
        options = options with { Concurrencies = [.. counts.SelectMany(c => new[] { c })] };
    }

    options = options with
    {
        Duration = parse.GetValue(duration) is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Duration,
        Seed = parse.GetValue(seed) ?? options.Seed,
        SkuCount = parse.GetValue(skus) ?? options.SkuCount,
        RetailEmbedded = parse.GetValue(retailHosting) switch
        {
            "separate" => false,
            "embedded" => true,
            var other => throw new ArgumentException($"--retail-hosting: unknown '{other}'; use separate or embedded."),
        },
        RetailSettings = Settings(parse.GetValue(retailSetting) ?? []),
        OutputDirectory = parse.GetValue(output) ?? Path.Combine(SolutionLayout.Root, "benchmarks", "results", DateTime.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + (options.Quick ? "-quick" : "")),
    };

    var report = await new BenchmarkSuite(options).RunAsync("dotnet run --project benchmarks/Retail.Benchmarks -c Release -- " + string.Join(' ', args), cancellationToken);
    await ReportWriter.WriteAsync(report, options.OutputDirectory, cancellationToken);
    ProgressConsole.Step($"Report: {Path.Combine(options.OutputDirectory, "report.md")}");
    foreach (var goal in report.Goals)
    {
        (goal.Met == false ? (Action<string>)ProgressConsole.Failure : ProgressConsole.Result)($"{goal.Met switch { true => "met", false => "NOT met", null => "reported" }}: {goal.Goal} ({goal.Measured})");
    }

    return report.CorrectnessPassed ? 0 : 1;
});

var url = new Option<string>("--url") { Required = true };
var poolSize = new Option<int>("--pool-size") { DefaultValueFactory = _ => 16 };
var baseline = new Command("baseline-server", "Serve the conventional design (started by the benchmark itself).") { url, poolSize };
baseline.Hidden = true;
baseline.SetAction(async (parse, cancellationToken) =>
{
    await BaselineServer.RunAsync(parse.GetValue(url)!, parse.GetValue(poolSize), cancellationToken);
    return 0;
});
root.Subcommands.Add(baseline);

// Ctrl+C or SIGTERM cancels the run; stopping the targets and the private PostgreSQL takes longer than the default 2 s.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });

static Dictionary<string, string> Settings(string[] values)
{
    var settings = new Dictionary<string, string>(StringComparer.Ordinal);
    foreach (var value in values)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ArgumentException($"--retail-setting: '{value}' is not NAME=VALUE.");
        }

        settings[value[..equals]] = value[(equals + 1)..];
    }

    return settings;
}

static IReadOnlyList<string> Split(string[] values, IReadOnlyList<string> allowed, string option)
{
    var items = values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList();
    var unknown = items.Where(i => !allowed.Contains(i)).ToList();
    return unknown.Count == 0
        ? items
        : throw new ArgumentException($"{option}: unknown {string.Join(", ", unknown)}; use {string.Join(", ", allowed)}.");
}
