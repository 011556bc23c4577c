using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Retail.Contracts.Inventory;

namespace Retail.Grains.Inventory;

[GenerateSerializer, Alias("Retail.SkuAvailabilityState")]
internal sealed class SkuAvailabilityState
{
    /// <summary>The latest position each location reported, keyed by location id.</summary>
    [Id(0)] public Dictionary<string, InventoryPosition> Positions { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Answers availability of one SKU from memory. Reports change memory at once and reach storage a moment later in
/// one write for however many arrived meanwhile (and on deactivation), so a hot SKU's reservations do not each cost
/// a second write. After a silo failure the view may lack the last moment's reports until those positions change
/// again; it is a view for sourcing and queries, while every reservation is still checked by its inventory grain.
/// </summary>
internal sealed partial class SkuAvailabilityGrain(
    [PersistentState("availability", StorageNames.Inventory)] IPersistentState<SkuAvailabilityState> state,
    ILogger<SkuAvailabilityGrain> logger) : Grain, ISkuAvailabilityGrain
{
    private static readonly TimeSpan FlushDelay = TimeSpan.FromSeconds(2);

    private readonly IPersistentState<SkuAvailabilityState> _state = state;
    private readonly ILogger<SkuAvailabilityGrain> _logger = logger;
    private IGrainTimer? _flushTimer;
    private bool _dirty;
    private SkuAvailability? _answer;

    public Task ReportAsync(InventoryPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        var sku = this.GetPrimaryKeyString();
        if (position.Sku != sku || string.IsNullOrEmpty(position.LocationId))
        {
            throw new ArgumentException($"A position of '{position.Sku}' at '{position.LocationId}' was reported to the availability of '{sku}'.", nameof(position));
        }

        _state.State.Positions[position.LocationId] = position;
        _answer = null;
        _dirty = true;
        _flushTimer ??= this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions
        {
            DueTime = FlushDelay,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
        return Task.CompletedTask;
    }

    [ReadOnly]
    public Task<SkuAvailability> GetAsync() => Task.FromResult(_answer ??= Summarise());

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await WriteAsync();
        }
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private SkuAvailability Summarise()
    {
        var locations = _state.State.Positions.Values.OrderBy(p => p.LocationId, StringComparer.Ordinal).ToList();
        return new SkuAvailability
        {
            Sku = this.GetPrimaryKeyString(),
            // A location short of its safety stock has nothing to offer; it does not take from the others.
            Total = locations.Sum(p => Math.Max(0, p.Available)),
            Locations = locations,
        };
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        _flushTimer?.Dispose();
        _flushTimer = null;
        if (!await WriteAsync())
        {
            _flushTimer = this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions
            {
                DueTime = FlushDelay,
                Period = Timeout.InfiniteTimeSpan,
                KeepAlive = true,
            });
        }
    }

    private async Task<bool> WriteAsync()
    {
        _dirty = false;
        try
        {
            await _state.WriteStateAsync();
            return true;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            _dirty = true;
            LogWriteFailed(_logger, exception, this.GetPrimaryKeyString());
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the availability of {Sku} failed; retrying")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string sku);
}
