using Retail.Contracts.Exceptions;
using Retail.Contracts.Integration;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;

namespace Retail.Functions.Tests.Fakes;

public sealed class FakeOrderIndexGrain(FakeGrains grains, string key) : IOrderIndexGrain
{
    private readonly Lock gate = new();
    private string? owner;

    public Task<string> ClaimAsync(string orderId)
    {
        grains.Record($"IOrderIndexGrain/{key}.Claim");
        lock (gate)
        {
            owner ??= orderId;
            return Task.FromResult(owner);
        }
    }

    public Task<string?> LookupAsync()
    {
        grains.Record($"IOrderIndexGrain/{key}.Lookup");
        lock (gate)
        {
            return Task.FromResult(owner);
        }
    }
}

/// <summary>The dedupe grain's contract, single-threaded by a lock as the grain is by its activation.</summary>
public sealed class FakeDedupeGrain(FakeGrains grains, string key) : IInboundDedupeGrain
{
    private readonly Lock gate = new();
    private string? leaseId;

    public string Key { get; } = key;
    public DateTimeOffset? CompletedAt { get; private set; }
    public string? Outcome { get; private set; }
    public string? OrderId { get; private set; }

    public Task<DeliveryClaim> TryBeginAsync(string leaseId, TimeSpan leaseDuration)
    {
        grains.Record($"IInboundDedupeGrain/{Key}.TryBegin");
        lock (gate)
        {
            if (CompletedAt is not null || (this.leaseId is not null && this.leaseId != leaseId))
            {
                return Task.FromResult(Claim(false));
            }
            this.leaseId = leaseId;
            return Task.FromResult(Claim(true) with { UnknownOrderRaised = UnknownOrderRaised });
        }
    }

    public Task CompleteAsync(string leaseId, string outcome, string? orderId)
    {
        grains.Record($"IInboundDedupeGrain/{Key}.Complete");
        lock (gate)
        {
            CompletedAt ??= DateTimeOffset.UtcNow;
            Outcome ??= outcome;
            OrderId ??= orderId;
            this.leaseId = null;
        }
        return Task.CompletedTask;
    }

    public bool UnknownOrderRaised { get; private set; }

    public Task NoteUnknownOrderAsync(string leaseId)
    {
        grains.Record($"IInboundDedupeGrain/{Key}.NoteUnknownOrder");
        UnknownOrderRaised = true;
        return Task.CompletedTask;
    }

    public Task ReleaseAsync(string leaseId)
    {
        grains.Record($"IInboundDedupeGrain/{Key}.Release");
        lock (gate)
        {
            if (this.leaseId == leaseId)
            {
                this.leaseId = null;
            }
        }
        return Task.CompletedTask;
    }

    public Task<DeliveryClaim> GetAsync()
    {
        lock (gate)
        {
            return Task.FromResult(Claim(false));
        }
    }

    private DeliveryClaim Claim(bool acquired) => new()
    {
        Acquired = acquired,
        Status = CompletedAt is not null ? DeliveryStatus.Completed : leaseId is not null ? DeliveryStatus.InProgress : DeliveryStatus.Unseen,
        CompletedAt = CompletedAt,
        Outcome = Outcome,
        OrderId = OrderId,
    };
}

/// <summary>Every exception record the fakes hold, across business keys.</summary>
public sealed class FakeExceptionRegistry(FakeGrains grains)
{
    private readonly Lock gate = new();

    public List<ExceptionRecord> Records { get; } = [];

    /// <summary>The registry's clock (the creation time of new records).</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    public Task<ExceptionRecord> RaiseAsync(ExceptionToRaise exception)
    {
        grains.Record($"IExceptionGrain.Raise({exception.Kind})");
        lock (gate)
        {
            var index = Records.FindIndex(r => r.Kind == exception.Kind && r.BusinessKey == exception.BusinessKey && r.Status == ExceptionStatus.Open);
            if (index >= 0)
            {
                Records[index] = Records[index] with { Attempts = Records[index].Attempts + 1, Reason = exception.Reason };
                return Task.FromResult(Records[index]);
            }
            var record = new ExceptionRecord
            {
                Id = $"ex-{Records.Count + 1}",
                Kind = exception.Kind,
                BusinessKey = exception.BusinessKey,
                Reason = exception.Reason,
                Attempts = 1,
                CreatedAt = Clock(),
                UpdatedAt = Clock(),
                Message = exception.Message,
            };
            Records.Add(record);
            return Task.FromResult(record);
        }
    }

    public Task ResolveOpenAsync(string kind, string businessKey, string resolution)
    {
        grains.Record($"IExceptionGrain.ResolveOpen({kind})");
        lock (gate)
        {
            var index = Records.FindIndex(r => r.Kind == kind && r.BusinessKey == businessKey && r.Status == ExceptionStatus.Open);
            if (index >= 0)
            {
                Records[index] = Records[index] with { Status = ExceptionStatus.Resolved, Resolution = resolution };
            }
        }
        return Task.CompletedTask;
    }

}

/// <summary>One business key's exception grain, over the shared <see cref="FakeExceptionRegistry"/>.</summary>
public sealed class FakeExceptionGrain(FakeExceptionRegistry registry, string key) : IExceptionGrain
{
    public Task<ExceptionRecord> RaiseAsync(ExceptionToRaise exception) =>
        ExceptionKey.For(exception.BusinessKey) == key
            ? registry.RaiseAsync(exception)
            : throw new InvalidOperationException($"A raise about {exception.BusinessKey} reached the grain of another key.");

    public Task ResolveOpenAsync(string kind, string resolution)
    {
        var businessKeys = registry.Records.Where(r => ExceptionKey.For(r.BusinessKey) == key).Select(r => r.BusinessKey).Distinct().ToList();
        return Task.WhenAll(businessKeys.Select(businessKey => registry.ResolveOpenAsync(kind, businessKey, resolution)));
    }

    public Task<IReadOnlyList<ExceptionRecord>> ListAsync() => throw new NotSupportedException();
    public Task<ExceptionRecord?> GetAsync(string id) => throw new NotSupportedException();
    public Task<ExceptionRecord> RetryAsync(string id) => throw new NotSupportedException();
    public Task<ExceptionRecord> ResolveAsync(string id, string resolution) => throw new NotSupportedException();
}

public sealed class FakeInventoryGrain(FakeGrains grains, string key) : IInventoryGrain
{
    public List<(DateTimeOffset AsOf, int OnHand)> Snapshots { get; } = [];
    public List<(string AdjustmentId, int Delta, string Reason)> Adjustments { get; } = [];

    public Task<SnapshotResult> ApplySnapshotAsync(DateTimeOffset asOf, int onHand)
    {
        grains.Record($"IInventoryGrain/{key}.ApplySnapshot");
        lock (Snapshots)
        {
            Snapshots.Add((asOf, onHand));
        }
        return Task.FromResult(new SnapshotResult { Applied = true });
    }

    public Task<InventoryPosition> AdjustAsync(string adjustmentId, int delta, string reason)
    {
        grains.Record($"IInventoryGrain/{key}.Adjust");
        Adjustments.Add((adjustmentId, delta, reason));
        var (sku, locationId) = InventoryKey.Parse(key);
        return Task.FromResult(new InventoryPosition { Sku = sku, LocationId = locationId, OnHand = 10 + delta });
    }

    public Task<ReservationResult> ReserveAsync(ReservationRequest request) => throw new NotSupportedException();
    public Task ReleaseAsync(ReservationId id) => throw new NotSupportedException();
    public Task ConfirmAsync(ReservationId id) => throw new NotSupportedException();
    public Task FulfilAsync(string operationId, ReservationId id, int quantity) => throw new NotSupportedException();
    public Task RestockAsync(string operationId, int quantity) => throw new NotSupportedException();
    public Task<InventoryPosition> SetStockAsync(int onHand, int safetyStock) => throw new NotSupportedException();
    public Task<InventoryPosition> GetAsync() => throw new NotSupportedException();
    public Task<InventoryPosition> ExpectInboundAsync(InboundExpectation expectation) => throw new NotSupportedException();
    public Task<ReceiptResult> ReceiveInboundAsync(string reference, int quantity, DateTimeOffset receivedAt) => throw new NotSupportedException();
    public Task<InventoryPosition> ShipTransferAsync(string transferId, int quantity) => throw new NotSupportedException();
    public Task<InventoryPosition> CompleteTransitAsync(string transferId) => throw new NotSupportedException();
    public Task<PromiseResult> PromiseAsync(PromiseRequest request) => throw new NotSupportedException();
    public Task ReleasePromiseAsync(ReservationId id) => throw new NotSupportedException();
}
