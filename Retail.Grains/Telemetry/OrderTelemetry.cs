using Retail.Contracts.Orders;
using Retail.Contracts.Projections;
using Retail.Grains.Orders;

namespace Retail.Grains.Telemetry;

/// <summary>
/// What one order activation last made durable, so that each write records only what it changed: the order's
/// receipt, the status it reached, its shipment, its posting acceptance, the change of its pending refunds and the
/// stages its returns reached (from the return rows the state declares for the listing).
/// </summary>
internal sealed class OrderTelemetry
{
    private bool _exists;
    private OrderStatus _status;
    private DateTimeOffset? _shippedAt;
    private DateTimeOffset? _postingAcceptedAt;
    private decimal _refundPending;
    private Dictionary<string, ReturnListing> _returns = new(StringComparer.Ordinal);

    /// <summary>Takes the stored state as the baseline (on activation).</summary>
    public void Loaded(OrderState state, bool exists)
    {
        _exists = exists;
        _status = state.Status;
        _shippedAt = state.ShippedAt;
        _postingAcceptedAt = state.PostingAcceptedAt;
        _refundPending = state.RefundPendingAmount;
        _returns = Returns(state);
    }

    /// <summary>Records what the write just made durable.</summary>
    public void Saved(OrderState state)
    {
        if (!_exists)
        {
            RetailMetrics.OrderReceived(state.Channel);
        }
        if (!_exists || state.Status != _status)
        {
            RetailMetrics.OrderReached(state.Status, state.Channel);
        }
        if (_shippedAt is null && state.ShippedAt is { } shippedAt)
        {
            RetailMetrics.OrderShipped(state.ReceivedAt, shippedAt, state.Channel);
        }
        if (_postingAcceptedAt is null && state.PostingAcceptedAt is { } acceptedAt && state.ReleasedAt is { } releasedAt)
        {
            RetailMetrics.PostingAccepted(releasedAt, acceptedAt);
        }
        RetailMetrics.RefundBacklogChanged(state.RefundPendingAmount - _refundPending);
        var returns = Returns(state);
        foreach (var returned in returns.Values)
        {
            var before = _returns.GetValueOrDefault(returned.ReturnId);
            if (before?.ReceivedAt is null && returned.ReceivedAt is { } receivedAt)
            {
                RetailMetrics.ReturnReceived(receivedAt - returned.AuthorizedAt);
            }
            if (before?.RefundedAt is null && returned.RefundedAt is { } refundedAt)
            {
                RetailMetrics.ReturnRefunded(refundedAt - returned.AuthorizedAt, refundedAt - returned.ReceivedAt);
            }
        }
        _returns = returns;
        _exists = true;
        _status = state.Status;
        _shippedAt = state.ShippedAt;
        _postingAcceptedAt = state.PostingAcceptedAt;
        _refundPending = state.RefundPendingAmount;
    }

    private static Dictionary<string, ReturnListing> Returns(OrderState state) =>
        state.ListingRows().OfType<ReturnListing>().ToDictionary(r => r.ReturnId, StringComparer.Ordinal);
}
