using System.Collections.Concurrent;

namespace Retail.Tools.Simulation;

/// <summary>What the simulation has sent so far, for its progress line.</summary>
internal sealed class SimulationCounters
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Increment(string what) => _counts.AddOrUpdate(what, 1, (_, count) => count + 1);

    public string Summary() => string.Join("  ", _counts.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}: {pair.Value}"));
}
