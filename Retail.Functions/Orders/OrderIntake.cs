using System.Security.Cryptography;
using System.Text;
using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Functions.Orders;

/// <summary>
/// Intake of a mapped channel order: given a deterministic order id and submitted to its order grain, which validates
/// it, claims the channel order in the index once (an order taken in before under another id answers instead) and is
/// idempotent.
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
    public Task<IntakeResult> SubmitAsync(CanonicalOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var orderId = order.OrderId ?? OrderIdFor(order.Channel ?? "", order.ChannelOrderId ?? "");
        return grains.GetGrain<IOrderGrain>(orderId).SubmitAsync(order with { OrderId = orderId });
    }

    /// <summary>The order id a channel order was taken in under, or null.</summary>
    public Task<string?> FindAsync(string channel, string channelOrderId) =>
        grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For(channel, channelOrderId)).LookupAsync();

    /// <summary>The order id a payment reference (e.g. a Stripe payment intent) belongs to, or null.</summary>
    public Task<string?> FindByPaymentAsync(string provider, string reference) =>
        grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.ForPaymentReference(provider, reference)).LookupAsync();

    public IOrderGrain Order(string orderId) => grains.GetGrain<IOrderGrain>(orderId);
}
