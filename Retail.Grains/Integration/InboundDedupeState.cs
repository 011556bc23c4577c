namespace Retail.Grains.Integration;

/// <summary>The persisted part of a dedupe record: only completion is durable; a lease lives in memory.</summary>
[GenerateSerializer, Alias("Retail.Grains.InboundDedupeState")]
public sealed class InboundDedupeState
{
    [Id(0)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(1)] public string? Outcome { get; set; }
    [Id(2)] public string? OrderId { get; set; }
}
