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
internal sealed class OrderIndexGrain(
    [PersistentState("orderIndex", StorageNames.Operations)] IPersistentState<OrderIndexState> state)
    : Grain, IOrderIndexGrain
{
    public async Task<string> ClaimAsync(string orderId)
    {
        var errors = new ValidationErrors();
        if (orderId is null || !CanonicalOrderValidator.IsValidId(orderId))
        {
            errors.Add("orderId", $"Must be 1-{CanonicalOrderValidator.MaxIdLength} characters of letters, digits, '-', '_', '.' or ':'.");
        }
        errors.ThrowIfAny();
        if (state.State.OrderId is { } owner)
        {
            return owner;
        }

        state.State.OrderId = orderId;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.OrderId = null;
            throw;
        }
        return orderId!;
    }

    public Task<string?> LookupAsync() => Task.FromResult(state.State.OrderId);
}
