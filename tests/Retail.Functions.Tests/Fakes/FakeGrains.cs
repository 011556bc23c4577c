using System.Collections.Concurrent;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Integration;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;

namespace Retail.Functions.Tests.Fakes;

/// <summary>
/// An in-process stand-in for the cluster: answers GetGrain with recording fakes, so handler tests see every grain call
/// (and can assert that none happened) without a silo.
/// </summary>
public sealed class FakeGrains : IGrainFactory
{
    private readonly ConcurrentDictionary<string, object> grains = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Each call with the correlation id that was current (in Orleans' RequestContext) when it was made.</summary>
    public ConcurrentQueue<(string Call, string? CorrelationId)> Correlated { get; } = new();

    /// <summary>When set, every grain call first runs this (e.g. to throw a transient failure).</summary>
    public Func<string, Exception?>? Failure { get; set; }

    /// <summary>Every exception record raised through the fake exception grains.</summary>
    public FakeExceptionRegistry Registry => Get("all", _ => new FakeExceptionRegistry(this));

    public FakeOrderGrain Order(string orderId) => Get(orderId, key => new FakeOrderGrain(this, key));

    public FakeInventoryGrain Inventory(string key) => Get(key, k => new FakeInventoryGrain(this, k));

    public FakeDedupeGrain Dedupe(string key) => Get(key, k => new FakeDedupeGrain(this, k));

    public IReadOnlyList<FakeOrderGrain> SubmittedOrders =>
        [.. grains.Values.OfType<FakeOrderGrain>().Where(order => order.Submitted is not null)];

    public IReadOnlyList<string> Dedupes => [.. grains.Values.OfType<FakeDedupeGrain>().Where(d => d.CompletedAt is not null).Select(d => d.Key)];

    /// <summary>Calls that change something (everything but reads).</summary>
    public IReadOnlyList<string> Writes => [.. Calls.Where(call => !call.Contains(".Get", StringComparison.Ordinal) && !call.Contains(".Lookup", StringComparison.Ordinal))];

    public void Record(string call)
    {
        Calls.Enqueue(call);
        Correlated.Enqueue((call, Microsoft.Extensions.Hosting.Correlation.Current));
        if (Failure?.Invoke(call) is { } exception)
        {
            throw exception;
        }
    }

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey
    {
        object grain = typeof(TGrainInterface) switch
        {
            var type when type == typeof(IOrderGrain) => Order(primaryKey),
            var type when type == typeof(IOrderIndexGrain) => Get(primaryKey, key => new FakeOrderIndexGrain(this, key)),
            var type when type == typeof(IInventoryGrain) => Inventory(primaryKey),
            var type when type == typeof(IInboundDedupeGrain) => Dedupe(primaryKey),
            var type when type == typeof(IExceptionGrain) => Get(primaryKey, key => new FakeExceptionGrain(Registry, key)),
            var type => throw new NotSupportedException($"No fake for {type.Name}."),
        };
        return (TGrainInterface)grain;
    }

    private T Get<T>(string key, Func<string, T> create) where T : class =>
        (T)grains.GetOrAdd($"{typeof(T).Name}/{key}", _ => create(key));

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey => throw Unsupported();
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey => throw Unsupported();
    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey => throw Unsupported();
    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey => throw Unsupported();
    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw Unsupported();
    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver => throw Unsupported();
    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw Unsupported();
    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw Unsupported();
    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw Unsupported();
    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw Unsupported();
    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw Unsupported();
    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => throw Unsupported();
    public IAddressable GetGrain(GrainId grainId) => throw Unsupported();
    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw Unsupported();
    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string grainClassNamePrefix) => throw Unsupported();
    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => throw Unsupported();

    private static NotSupportedException Unsupported() => new("The bridge only uses string-keyed grains.");
}
