namespace Retail.Benchmarks.Suite;

internal sealed record BenchmarkOptions
{
    public const string Retail = "retail";
    public const string Baseline = "baseline";
    public const string Ceiling = "ceiling";
    public const string Uniform = "uniform";
    public const string HotSku = "hot-sku";
    public const string FlashSale = "flash-sale";
    public const string Availability = "availability";
    public const string Growth = "growth";

    public static IReadOnlyList<string> AllTargets { get; } = [Retail, Baseline, Ceiling];
    public static IReadOnlyList<string> AllScenarios { get; } = [Uniform, HotSku, FlashSale, Availability, Growth];

    public bool Quick { get; init; }
    public IReadOnlyList<string> Targets { get; init; } = AllTargets;
    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;
    public IReadOnlyList<int> Concurrencies { get; init; } = [8, 32, 128];
    /// <summary>How long each duration-bounded run lasts (uniform, availability, open-loop runs).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    public int Seed { get; init; } = 20261127;
    public int SkuCount { get; init; } = 10_000;
    public int FlashOrders { get; init; } = 20_000;
    public int FlashUnits { get; init; } = 5_000;
    /// <summary>A closed-loop flash sale stops at <see cref="FlashOrders"/> or after this long, whichever comes first.</summary>
    public TimeSpan? FlashTimeLimit { get; init; } = TimeSpan.FromSeconds(45);
    /// <summary>The hot SKU's stock (one position): more than any run can take, so every order of the mix contends on it.</summary>
    public int HotUnits { get; init; } = 10_000_000;
    /// <summary>The growth scenario's catalogues (SKUs at one location each): the uniform peak on the first against the last.</summary>
    public IReadOnlyList<int> GrowthSkuCounts { get; init; } = [10_000, 100_000];
    public int WarmUpOrders { get; init; } = 2_000;
    /// <summary>Fixed-count runs (quick mode): orders per uniform or availability run.</summary>
    public int? UniformOrders { get; init; }
    public IReadOnlyList<double> OpenLoopFractions { get; init; } = [0.5, 0.8];
    public double ReadRate { get; init; } = 200;
    public int AvailabilityConcurrency { get; init; } = 32;
    public int BaselinePoolSize { get; init; } = 16;
    public int StockSetupConcurrency { get; init; } = 32;
    public TimeSpan CeilingDuration { get; init; } = TimeSpan.FromSeconds(10);
    public string OutputDirectory { get; init; } = "";
    /// <summary>Retail in one process (the API hosts the silo) instead of two.</summary>
    public bool RetailEmbedded { get; init; }
    /// <summary>Environment variables for Retail's processes (a setting under measurement).</summary>
    public IReadOnlyDictionary<string, string> RetailSettings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Correctness only, in well under three minutes: small scenarios, one concurrency, no open loop.</summary>
    public static BenchmarkOptions QuickDefaults(BenchmarkOptions options) => options with
    {
        Quick = true,
        Concurrencies = [16],
        SkuCount = 200,
        FlashOrders = 1_000,
        FlashUnits = 300,
        FlashTimeLimit = null,
        GrowthSkuCounts = [200, 2_000],
        WarmUpOrders = 200,
        UniformOrders = 800,
        OpenLoopFractions = [],
        ReadRate = 50,
        AvailabilityConcurrency = 16,
        CeilingDuration = TimeSpan.FromSeconds(2),
    };
}
