using Retail.Contracts.Outbox;

namespace Retail.Grains.Outbox;

/// <summary>The silos' latest backlog reports, in memory: a fresh activation is complete again after one report interval.</summary>
internal sealed class OutboxBacklogGrain(TimeProvider time) : Grain, IOutboxBacklogGrain
{
    /// <summary>A report older than this is from a silo that left.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, (DateTimeOffset At, IReadOnlyDictionary<string, long> Backlog)> _reports = new(StringComparer.Ordinal);

    public Task ReportAsync(string silo, IReadOnlyDictionary<string, long> backlog)
    {
        ArgumentException.ThrowIfNullOrEmpty(silo);
        ArgumentNullException.ThrowIfNull(backlog);
        _reports[silo] = (time.GetUtcNow(), backlog);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<string, long>> GetAsync()
    {
        var since = time.GetUtcNow() - Freshness;
        IReadOnlyDictionary<string, long> total = _reports.Values
            .Where(report => report.At >= since)
            .SelectMany(report => report.Backlog)
            .GroupBy(entry => entry.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Sum(entry => entry.Value), StringComparer.Ordinal);
        return Task.FromResult(total);
    }
}
