namespace Retail.Benchmarks.Load;

/// <summary>An order the target acknowledged (201 created or 200 duplicate), with the status it answered.</summary>
internal sealed record AcknowledgedOrder(string OrderId, string Status);

/// <summary>What one measured run of order intake produced.</summary>
internal sealed class IntakeMeasurement
{
    public required int Sent { get; init; }
    public required IReadOnlyList<AcknowledgedOrder> Acknowledged { get; init; }
    public required IReadOnlyDictionary<string, int> Errors { get; init; }
    public required LatencySummary Latency { get; init; }
    public required TimeSpan Elapsed { get; init; }
    public double OrdersPerSecond => Elapsed.TotalSeconds > 0 ? Acknowledged.Count / Elapsed.TotalSeconds : 0;
    public int ErrorCount => Errors.Values.Sum();
}
