using System.Text.Json.Serialization;

namespace Retail.Postgres.Clustering;

/// <summary>A suspicion vote as stored in <c>retail_membership.suspect_times</c>.</summary>
internal sealed record SuspectRecord(string Silo, DateTime At);

[JsonSerializable(typeof(List<SuspectRecord>))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class SuspectJson : JsonSerializerContext;
