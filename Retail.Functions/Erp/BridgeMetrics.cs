using System.Diagnostics.Metrics;

namespace Retail.Functions.Erp;

/// <summary>The bridge's instruments, on Retail's meter (<c>Retail</c>, docs/observability.md).</summary>
internal static class BridgeMetrics
{
    private static readonly Meter Meter = new("Retail");

    private static readonly Counter<long> DeadLetters =
        Meter.CreateCounter<long>("retail.messaging.dead_letters", "{message}", "Inbound messages dead-lettered.");

    public static void DeadLettered(string entity, string reason) =>
        DeadLetters.Add(1, new KeyValuePair<string, object?>("entity", entity), new KeyValuePair<string, object?>("reason", reason));
}
