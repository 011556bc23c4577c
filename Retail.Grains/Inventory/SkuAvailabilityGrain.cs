using Orleans.Concurrency;
using Retail.Contracts.Inventory;

namespace Retail.Grains.Inventory;

[GenerateSerializer, Alias("Retail.SkuAvailabilityState")]
internal sealed class SkuAvailabilityState
{
    /// <summary>The locations that ever reported a position of this SKU.</summary>
    [Id(1)] public HashSet<string> Locations { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Answers availability of one SKU from memory. Positions report after each of their durable writes; only the set of
/// locations that hold the SKU is stored (written when a location reports for the first time), so a reservation costs
/// this grain no write. On activation the view reads the current position at each of those locations; a report that
/// arrives meanwhile is newer than nothing and is kept, and since every position reports its latest durable state
/// after any earlier report, the view converges on what is durable. It is a view for sourcing and queries: every
/// reservation is still checked by its inventory grain.
/// </summary>
internal sealed class SkuAvailabilityGrain(
    [PersistentState("availability", StorageNames.Inventory)] IPersistentState<SkuAvailabilityState> state)
    : Grain, ISkuAvailabilityGrain
{
    private readonly IPersistentState<SkuAvailabilityState> _state = state;
    private readonly Dictionary<string, InventoryPosition> _positions = new(StringComparer.Ordinal);
    private bool _locationsUnsaved;
    private Task _rebuilt = Task.CompletedTask;
    private SkuAvailability? _answer;

    private string Sku => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _rebuilt = RebuildAsync();
        return base.OnActivateAsync(cancellationToken);
    }

    public async Task ReportAsync(InventoryPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        if (position.Sku != Sku || string.IsNullOrEmpty(position.LocationId))
        {
            throw new ArgumentException($"A position of '{position.Sku}' at '{position.LocationId}' was reported to the availability of '{Sku}'.", nameof(position));
        }

        _positions[position.LocationId] = position;
        _answer = null;
        if (_state.State.Locations.Add(position.LocationId) || _locationsUnsaved)
        {
            // A failed write fails the report; the position reports again after its next write, and this one retries.
            _locationsUnsaved = true;
            await _state.WriteStateAsync();
            _locationsUnsaved = false;
        }
    }

    [ReadOnly]
    public async Task<SkuAvailability> GetAsync()
    {
        if (_rebuilt.IsFaulted)
        {
            _rebuilt = RebuildAsync();
        }
        await _rebuilt;
        return _answer ??= Summarise();
    }

    /// <summary>Reads the position at every location known to hold the SKU, keeping any report that came first.</summary>
    private async Task RebuildAsync()
    {
        var positions = await Task.WhenAll(_state.State.Locations.Select(location =>
            GrainFactory.GetGrain<IInventoryGrain>(InventoryKey.For(Sku, location)).GetAsync()));
        foreach (var position in positions)
        {
            _positions.TryAdd(position.LocationId, position);
        }
        _answer = null;
    }

    private SkuAvailability Summarise()
    {
        var locations = _positions.Values.OrderBy(p => p.LocationId, StringComparer.Ordinal).ToList();
        return new SkuAvailability
        {
            Sku = Sku,
            // A location short of its safety stock has nothing to offer; it does not take from the others.
            Total = locations.Sum(p => Math.Max(0, p.Available)),
            Locations = locations,
        };
    }
}
