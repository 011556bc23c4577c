using System.Collections.Concurrent;
using System.Globalization;
using Orleans.Serialization;
using Orleans.Storage;

namespace Retail.Grains.Tests;

/// <summary>
/// In-memory grain storage with etags, shared by the silos of the test cluster, that counts each grain's writes and
/// can make them slow or make one of them fail, as a database under load or a lost connection would. A write takes
/// its copy of the state only when it completes, as a provider that serialises late may: a grain that lets requests
/// change the object being written would have their changes stored early.
/// </summary>
public sealed class TestGrainStorage(DeepCopier copier) : IGrainStorage
{
    private static readonly ConcurrentDictionary<string, StoredGrain> Grains = new(StringComparer.Ordinal);

    /// <summary>The record of one grain's state, created on first use.</summary>
    public static StoredGrain Grain(string stateName, string key) =>
        Grains.GetOrAdd($"{stateName}|{key}", _ => new StoredGrain());

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var grain = Grain(stateName, grainId);
        lock (grain.Gate)
        {
            grainState.State = grain.Stored is T stored ? copier.Copy(stored) : Activator.CreateInstance<T>();
            grainState.ETag = grain.ETag;
            grainState.RecordExists = grain.Stored is not null;
        }
        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var grain = Grain(stateName, grainId);
        var expectedETag = grainState.ETag;
        var number = grain.StartWrite();
        if (grain.WriteDelay > TimeSpan.Zero)
        {
            await Task.Delay(grain.WriteDelay);
        }

        var copy = copier.Copy(grainState.State);
        lock (grain.Gate)
        {
            if (number == grain.FailingWrite)
            {
                throw new IOException($"Write {number} of {grainId} lost its connection.");
            }
            if (expectedETag != grain.ETag)
            {
                throw new InconsistentStateException($"{grainId} was written by someone else.", grain.ETag, expectedETag);
            }
            grain.Stored = copy;
            grain.Version++;
            grainState.ETag = grain.ETag;
            grainState.RecordExists = true;
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var grain = Grain(stateName, grainId);
        lock (grain.Gate)
        {
            grain.Stored = null;
            grain.Version++;
            grainState.ETag = grain.ETag;
            grainState.RecordExists = false;
        }
        return Task.CompletedTask;
    }

    private static StoredGrain Grain(string stateName, GrainId grainId) => Grain(stateName, grainId.Key.ToString()!);

    /// <summary>One grain's stored state and what the test wants its writes to do.</summary>
    public sealed class StoredGrain
    {
        private int _writesStarted;

        /// <summary>How long each write takes before it completes.</summary>
        public TimeSpan WriteDelay { get; set; }

        /// <summary>The number (counted from the first write, 1-based) of the write that fails; 0 for none.</summary>
        public int FailingWrite { get; set; }

        /// <summary>Writes started, failed ones included.</summary>
        public int WritesStarted => Volatile.Read(ref _writesStarted);

        internal object? Stored { get; set; }

        internal long Version { get; set; }

        internal string? ETag => Version == 0 ? null : Version.ToString(CultureInfo.InvariantCulture);

        /// <summary>What is durable now (never changed in place: each write stores a new copy), or null when nothing was written.</summary>
        public T? Durable<T>()
            where T : class
        {
            lock (Gate)
            {
                return Stored as T;
            }
        }

        internal Lock Gate { get; } = new();

        internal int StartWrite() => Interlocked.Increment(ref _writesStarted);
    }
}
