using System.Security.Cryptography;
using System.Text;
using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Functions.Orders;

/// <summary>
/// Intake of a mapped channel order: validated, given a deterministic order id, claimed in the channel index (which
/// answers the owner if the channel order was taken in before) and submitted to its order grain (idempotent).
/// </summary>
internal sealed class OrderIntake(IGrainFactory grains)
{
    /// <summary>The order id of a channel order: the same for every delivery, on every node.</summary>
    public static string OrderIdFor(string channel, string channelOrderId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(OrderIndexKey.For(channel, channelOrderId)));
        return new Guid(hash.AsSpan(0, 16)).ToString("N");
    }

    /// <exception cref="RetailValidationException">The order breaks the canonical rules.</exception>
    public async Task<IntakeResult> SubmitAsync(CanonicalOrder order)
    {
        CanonicalOrderValidator.EnsureValid(order);
        var proposed = order.OrderId ?? OrderIdFor(order.Channel, order.ChannelOrderId);
        var owner = await grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(order.Channel, order.ChannelOrderId)).ClaimAsync(proposed);
        return await grains.GetGrain<IOrderGrain>(owner).SubmitAsync(order with { OrderId = owner });
    }

    /// <summary>The order id a channel order was taken in under, or null.</summary>
    public Task<string?> FindAsync(string channel, string channelOrderId) =>
        grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(channel, channelOrderId)).LookupAsync();

    /// <summary>The order id a payment reference (e.g. a Stripe payment intent) belongs to, or null.</summary>
    public Task<string?> FindByPaymentAsync(string provider, string reference) =>
        grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.ForPaymentReference(provider, reference)).LookupAsync();

    public IOrderGrain Order(string orderId) => grains.GetGrain<IOrderGrain>(orderId);
}
