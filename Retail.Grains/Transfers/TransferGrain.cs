using Microsoft.Extensions.Logging;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Inventory;
using Retail.Contracts.Transfers;
using Retail.Grains.Inventory;
using Retail.Grains.Outbox;
using Retail.Grains.Supply;

namespace Retail.Grains.Transfers;

[GenerateSerializer, Alias("Retail.TransferState")]
internal sealed class TransferState : IHasOutbox
{
    [Id(0)] public string TransferId { get; set; } = "";
    [Id(1)] public TransferStatus Status { get; set; }
    [Id(2)] public string FromLocationId { get; set; } = "";
    [Id(3)] public string ToLocationId { get; set; } = "";
    [Id(4)] public List<SkuQuantity> Lines { get; set; } = [];
    [Id(5)] public DateTimeOffset? RequestedAt { get; set; }
    [Id(6)] public DateTimeOffset? ShippedAt { get; set; }
    [Id(7)] public DateTimeOffset? ExpectedAt { get; set; }
    [Id(8)] public DateTimeOffset? ReceivedAt { get; set; }
    [Id(9)] public List<SkuQuantity> Shipped { get; set; } = [];
    [Id(10)] public List<SkuQuantity> Received { get; set; } = [];
    [Id(11)] public OutboxState Outbox { get; set; } = new();
}

/// <summary>
/// One transfer. A request goes to the ERP as <see cref="TransferRequested"/> through the outbox. When the ERP ships it,
/// each source position takes the units off hand (in transit) and each destination position expects them under
/// <c>transfer:{transferId}</c>; when it is received, the destinations put what arrived on hand (a difference is a
/// variance there) and the sources' units are no longer in transit. Every step is checked before a position is told, the
/// positions' steps are idempotent on the transfer id, and the transfer's own state and events are written once they
/// all succeeded, so a retry after a failure part-way completes the same step.
/// </summary>
internal sealed class TransferGrain(
    [PersistentState("transfer", StorageNames.Inventory)] IPersistentState<TransferState> state,
    OutboxServices outbox,
    ILogger<TransferGrain> logger,
    TimeProvider time)
    : OutboxGrain<TransferState>(state, outbox, logger), ITransferGrain
{
    private string Key => this.GetPrimaryKeyString();

    private string Reference => InboundReferences.ForTransfer(Key);

    public Task<TransferView?> GetAsync() => Task.FromResult(StateExists ? ToView() : null);

    public async Task<TransferView> RequestAsync(TransferRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        await CheckAsync(request.FromLocationId, request.ToLocationId, request.Lines);
        if (StateExists)
        {
            if (State.FromLocationId == request.FromLocationId && State.ToLocationId == request.ToLocationId && State.Lines.SequenceEqual(request.Lines))
            {
                return ToView();
            }
            throw new RetailException(ProblemCodes.IdempotencyConflict, $"Transfer '{Key}' exists with other locations or lines.");
        }

        var now = time.GetUtcNow();
        State.TransferId = Key;
        State.Status = TransferStatus.Requested;
        State.FromLocationId = request.FromLocationId;
        State.ToLocationId = request.ToLocationId;
        State.Lines = [.. request.Lines];
        State.RequestedAt = now;
        State.Outbox.AddErpMessage(ErpMessageTypes.TransferRequested, Key, new TransferRequested
        {
            TransferId = Key,
            FromLocationId = request.FromLocationId,
            ToLocationId = request.ToLocationId,
            Lines = request.Lines,
        }, now);
        await SaveAsync();
        return ToView();
    }

    public async Task<TransferView> ShipAsync(TransferShipped shipped)
    {
        ArgumentNullException.ThrowIfNull(shipped);
        RequireThis(shipped.TransferId);
        await CheckAsync(shipped.FromLocationId, shipped.ToLocationId, shipped.Lines);
        if (StateExists && (State.FromLocationId != shipped.FromLocationId || State.ToLocationId != shipped.ToLocationId))
        {
            throw new RetailException(ProblemCodes.SupplyConflict,
                $"Transfer '{Key}' is from {State.FromLocationId} to {State.ToLocationId}, not from {shipped.FromLocationId} to {shipped.ToLocationId}.");
        }
        if (StateExists && State.Status != TransferStatus.Requested)
        {
            return ToView();
        }

        await Task.WhenAll(shipped.Lines.Select(line => Task.WhenAll(
            Position(line.Sku, shipped.FromLocationId).ShipTransferAsync(Key, line.Quantity),
            Position(line.Sku, shipped.ToLocationId).ExpectInboundAsync(new InboundExpectation
            {
                Reference = Reference,
                Kind = InboundKinds.Transfer,
                Quantity = line.Quantity,
                ExpectedAt = shipped.ExpectedAt,
            }))));

        var now = time.GetUtcNow();
        State.TransferId = Key;
        State.Status = TransferStatus.Shipped;
        State.FromLocationId = shipped.FromLocationId;
        State.ToLocationId = shipped.ToLocationId;
        if (State.Lines.Count == 0)
        {
            State.Lines = [.. shipped.Lines];
        }
        State.Shipped = [.. shipped.Lines];
        State.ShippedAt = shipped.ShippedAt;
        State.ExpectedAt = shipped.ExpectedAt;
        State.Outbox.AddEvent(EventSources.Transfers, EventTypes.TransferShipped, Key, new TransferEventData
        {
            TransferId = Key,
            FromLocationId = State.FromLocationId,
            ToLocationId = State.ToLocationId,
            At = shipped.ShippedAt,
            ExpectedAt = shipped.ExpectedAt,
            Lines = State.Shipped,
        }, now);
        await SaveAsync();
        return ToView();
    }

    public async Task<TransferView> ReceiveAsync(TransferReceived received)
    {
        ArgumentNullException.ThrowIfNull(received);
        RequireThis(received.TransferId);
        var errors = new ValidationErrors();
        errors.RequireId("toLocationId", received.ToLocationId);
        SupplyDocuments.CheckLines(errors, "lines", SupplyDocuments.Of(received.Lines), zeroAllowed: true);
        errors.ThrowIfAny();
        if (!StateExists || State.Status == TransferStatus.Requested)
        {
            throw new RetailException(ProblemCodes.TransferNotFound, $"No shipped transfer '{Key}' is known; its receipt cannot be matched.");
        }
        if (State.ToLocationId != received.ToLocationId)
        {
            throw new RetailException(ProblemCodes.SupplyConflict, $"Transfer '{Key}' goes to {State.ToLocationId}, not {received.ToLocationId}.");
        }
        if (State.Status == TransferStatus.Received)
        {
            return ToView();
        }

        var skus = State.Shipped.Select(l => l.Sku).Concat(received.Lines.Select(l => l.Sku)).Distinct(StringComparer.Ordinal).ToList();
        var arrived = skus.ToDictionary(sku => sku, sku => received.Lines.Where(l => l.Sku == sku).Sum(l => l.Quantity), StringComparer.Ordinal);
        await Task.WhenAll(skus.Select(sku => Position(sku, State.ToLocationId).ReceiveInboundAsync(Reference, arrived[sku], received.ReceivedAt)));
        await Task.WhenAll(State.Shipped.Select(line => Position(line.Sku, State.FromLocationId).CompleteTransitAsync(Key)));

        var now = time.GetUtcNow();
        State.Status = TransferStatus.Received;
        State.ReceivedAt = received.ReceivedAt;
        State.Received = [.. received.Lines];
        var variances = skus
            .Select(sku => new SkuQuantity { Sku = sku, Quantity = arrived[sku] - State.Shipped.Where(l => l.Sku == sku).Sum(l => l.Quantity) })
            .Where(v => v.Quantity != 0)
            .ToList();
        State.Outbox.AddEvent(EventSources.Transfers, EventTypes.TransferReceived, Key, new TransferEventData
        {
            TransferId = Key,
            FromLocationId = State.FromLocationId,
            ToLocationId = State.ToLocationId,
            At = received.ReceivedAt,
            ExpectedAt = State.ExpectedAt,
            Lines = State.Received,
            Variances = variances.Count > 0 ? variances : null,
        }, now);
        await SaveAsync();
        return ToView();
    }

    private async Task CheckAsync(string from, string to, IReadOnlyList<SkuQuantity>? lines)
    {
        var errors = new ValidationErrors();
        errors.RequireId("fromLocationId", from);
        errors.RequireId("toLocationId", to);
        if (!string.IsNullOrEmpty(from) && from == to)
        {
            errors.Add("toLocationId", "Must differ from fromLocationId.");
        }
        SupplyDocuments.CheckLines(errors, "lines", SupplyDocuments.Of(lines), zeroAllowed: false);
        errors.ThrowIfAny();
        await SupplyDocuments.RequireRegisteredAsync(GrainFactory, from, to);
    }

    private void RequireThis(string transferId)
    {
        if (transferId != Key)
        {
            throw new RetailValidationException(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["transferId"] = [$"Must be the transfer's id ('{Key}')."],
            });
        }
    }

    private IInventoryGrain Position(string sku, string locationId) => GrainFactory.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId));

    private TransferView ToView() => new()
    {
        TransferId = Key,
        Status = State.Status,
        FromLocationId = State.FromLocationId,
        ToLocationId = State.ToLocationId,
        Lines = [.. State.Lines],
        RequestedAt = State.RequestedAt,
        ShippedAt = State.ShippedAt,
        ExpectedAt = State.ExpectedAt,
        ReceivedAt = State.ReceivedAt,
        Shipped = [.. State.Shipped],
        Received = [.. State.Received],
    };
}
