using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Retail.Contracts.Orders;
using Retail.Grains.Inventory;

namespace Retail.Grains.Orders;

[GenerateSerializer, Alias("Retail.OrderIndexState")]
internal sealed class OrderIndexState
{
    [Id(0)] public string? OrderId { get; set; }
}

/// <summary>
/// One dedupe key of order intake (a channel order, or a payment reference) and the order that owns it. The first
/// claim wins, durably, before the order is written; every later claim answers the owner.
/// </summary>
/// <remarks>
/// Nearly every key is claimed once, by a new order, so the grain does not read its row when it activates: a claim
/// goes to storage as a create (the storage refuses a create of a row that exists), and only a refused create reads
/// the row to answer its owner. A lookup reads the row once. A key is needed once, at intake: an activation that won
/// its claim deactivates as soon as it is idle (a repeated intake activates it again and is answered from the row),
/// and one that served lookups is collected after two idle minutes (the least Orleans allows is above its one-minute
/// collection quantum) rather than its default quarter of an hour: two of them per order would otherwise outnumber
/// every other activation in the silo.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
internal sealed class OrderIndexGrain(IServiceProvider services) : Grain, IOrderIndexGrain
{
    private const string StateName = "orderIndex";

    private readonly IGrainStorage _storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Operations);
    private readonly GrainState<OrderIndexState> _row = new(new OrderIndexState());
    private bool _read;

    private string? Owner
    {
        get => _row.State?.OrderId;
        set => (_row.State ??= new OrderIndexState()).OrderId = value;
    }

    public async Task<string> ClaimAsync(string orderId)
    {
        var errors = new ValidationErrors();
        if (orderId is null || !CanonicalOrderValidator.IsValidId(orderId))
        {
            errors.Add("orderId", $"Must be 1-{CanonicalOrderValidator.MaxIdLength} characters of letters, digits, '-', '_', '.' or ':'.");
        }
        errors.ThrowIfAny();

        // The row as known (read, or written by this activation), else a create; a refused write reads the row.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (Owner is { } owner)
            {
                return owner;
            }
            if (await TryWriteAsync(orderId!))
            {
                DeactivateOnIdle();
                return orderId!;
            }
            await ReadAsync();
        }
        return Owner
            ?? throw new InconsistentStateException($"The order index {this.GetPrimaryKeyString()} changed under every claim; retry.");
    }

    public async Task<string?> LookupAsync()
    {
        if (!_read)
        {
            await ReadAsync();
        }
        return Owner;
    }

    /// <summary>Writes the claim: a create unless the row was read; false when the storage refuses it as stale.</summary>
    private async Task<bool> TryWriteAsync(string orderId)
    {
        Owner = orderId;
        try
        {
            await _storage.WriteStateAsync(StateName, this.GetGrainId(), _row);
            _read = true;
            return true;
        }
        catch (InconsistentStateException)
        {
            Owner = null;
            return false;
        }
        catch
        {
            Owner = null;
            throw;
        }
    }

    private async Task ReadAsync()
    {
        await _storage.ReadStateAsync(StateName, this.GetGrainId(), _row);
        _read = true;
    }
}
