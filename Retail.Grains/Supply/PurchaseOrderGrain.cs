using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Inventory;
using Retail.Contracts.Transfers;
using Retail.Grains.Inventory;

namespace Retail.Grains.Supply;

[GenerateSerializer, Alias("Retail.PurchaseOrderState")]
internal sealed class PurchaseOrderState
{
    [Id(0)] public string PoId { get; set; } = "";
    [Id(1)] public string LocationId { get; set; } = "";
    [Id(2)] public List<PurchaseOrderLine> Lines { get; set; } = [];
    [Id(3)] public DateTimeOffset? ReceivedAt { get; set; }
    [Id(4)] public List<SkuQuantity> Received { get; set; } = [];
}

/// <summary>
/// One purchase order. Its lines are inbound supply at its location, each position holding its line under the
/// reference <c>po:{poId}</c>: a confirmation sets every line (a line left out is set to zero, which cancels it), the
/// receipt closes every line, so a receipt differs from the expectation line by line. Everything is checked before any
/// position is told; the positions' steps are idempotent on the reference, so a retry after a failure part-way
/// completes the same document, and the state is written once they all succeeded.
/// </summary>
internal sealed class PurchaseOrderGrain(
    [PersistentState("purchase-order", StorageNames.Inventory)] IPersistentState<PurchaseOrderState> state)
    : Grain, IPurchaseOrderGrain
{
    private string Key => this.GetPrimaryKeyString();

    private string Reference => InboundReferences.ForPurchaseOrder(Key);

    public Task<PurchaseOrderView?> GetAsync() => Task.FromResult(state.RecordExists ? ToView() : null);

    public async Task<PurchaseOrderView> ConfirmAsync(PurchaseOrderConfirmed confirmed)
    {
        ArgumentNullException.ThrowIfNull(confirmed);
        var errors = new ValidationErrors();
        RequireThis(errors, confirmed.PoId);
        errors.RequireId("locationId", confirmed.LocationId);
        SupplyDocuments.CheckLines(errors, "lines", confirmed.Lines?.Select(l => (l.Sku, l.Quantity)).ToList(), zeroAllowed: true);
        errors.ThrowIfAny();
        await SupplyDocuments.RequireRegisteredAsync(GrainFactory, confirmed.LocationId);
        RequireSameLocation(confirmed.LocationId);
        if (state.State.ReceivedAt is not null)
        {
            // Received and closed: a late confirmation changes nothing.
            return ToView();
        }

        var dropped = state.State.Lines.Where(old => !confirmed.Lines!.Any(l => l.Sku == old.Sku)).Select(old => old with { Quantity = 0 });
        await Task.WhenAll(confirmed.Lines!.Concat(dropped).Select(line =>
            Position(line.Sku, confirmed.LocationId).ExpectInboundAsync(new InboundExpectation
            {
                Reference = Reference,
                Kind = InboundKinds.PurchaseOrder,
                Quantity = line.Quantity,
                ExpectedAt = line.ExpectedAt,
            })));

        state.State.PoId = Key;
        state.State.LocationId = confirmed.LocationId;
        state.State.Lines = [.. confirmed.Lines!];
        await state.WriteStateAsync();
        return ToView();
    }

    public async Task<PurchaseOrderView> ReceiveAsync(PurchaseOrderReceived received)
    {
        ArgumentNullException.ThrowIfNull(received);
        var errors = new ValidationErrors();
        RequireThis(errors, received.PoId);
        errors.RequireId("locationId", received.LocationId);
        SupplyDocuments.CheckLines(errors, "lines", SupplyDocuments.Of(received.Lines), zeroAllowed: true);
        errors.ThrowIfAny();
        if (!state.RecordExists)
        {
            throw new RetailException(ProblemCodes.PurchaseOrderNotFound, $"Purchase order '{Key}' was never confirmed; its receipt cannot be matched.");
        }
        RequireSameLocation(received.LocationId);
        if (state.State.ReceivedAt is not null)
        {
            return ToView();
        }

        var skus = state.State.Lines.Select(l => l.Sku).Concat(received.Lines.Select(l => l.Sku)).Distinct(StringComparer.Ordinal).ToList();
        await Task.WhenAll(skus.Select(sku =>
            Position(sku, state.State.LocationId).ReceiveInboundAsync(Reference, received.Lines.Where(l => l.Sku == sku).Sum(l => l.Quantity), received.ReceivedAt)));

        state.State.ReceivedAt = received.ReceivedAt;
        state.State.Received = [.. received.Lines];
        await state.WriteStateAsync();
        return ToView();
    }

    private void RequireThis(ValidationErrors errors, string poId)
    {
        if (poId != Key)
        {
            errors.Add("poId", $"Must be the purchase order's id ('{Key}').");
        }
    }

    private void RequireSameLocation(string locationId)
    {
        if (state.RecordExists && state.State.LocationId != locationId)
        {
            throw new RetailException(ProblemCodes.SupplyConflict, $"Purchase order '{Key}' is for {state.State.LocationId}, not {locationId}.");
        }
    }

    private IInventoryGrain Position(string sku, string locationId) => GrainFactory.GetGrain<IInventoryGrain>(InventoryKey.For(sku, locationId));

    private PurchaseOrderView ToView() => new()
    {
        PoId = Key,
        LocationId = state.State.LocationId,
        Lines = [.. state.State.Lines],
        ReceivedAt = state.State.ReceivedAt,
        Received = [.. state.State.Received],
    };
}
