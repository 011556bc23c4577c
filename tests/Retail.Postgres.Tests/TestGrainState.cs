using System.Diagnostics.CodeAnalysis;

namespace Retail.Postgres.Tests;

/// <summary>What a grain's persistent state hands to a storage provider.</summary>
internal sealed class TestGrainState<T> : IGrainState<T>
{
    [AllowNull]
    public required T State { get; set; }

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }

    public TestGrainState<T> Copy() => new() { State = State, ETag = ETag, RecordExists = RecordExists };
}
