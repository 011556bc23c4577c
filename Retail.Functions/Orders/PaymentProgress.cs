using Retail.Contracts.Orders;

namespace Retail.Functions.Orders;

/// <summary>
/// Payment news only moves forward: pending, then authorized, then captured; failed only before capture. Webhooks
/// arrive out of order, so an older status never overwrites a newer one.
/// </summary>
internal static class PaymentProgress
{
    public static bool Advances(string current, string next) => next switch
    {
        PaymentStatuses.Failed => current is PaymentStatuses.Pending or PaymentStatuses.Authorized,
        PaymentStatuses.Authorized => current is PaymentStatuses.Pending,
        PaymentStatuses.Captured => current is PaymentStatuses.Pending or PaymentStatuses.Authorized,
        _ => false,
    };
}
