using System.Diagnostics;
using System.Diagnostics.Metrics;
using Retail.Contracts.Orders;

namespace Retail.Grains.Telemetry;

/// <summary>
/// Retail's business metrics (meter <c>Retail</c>) and its own spans (activity source <c>Retail</c>). Instruments are
/// recorded where the event becomes durable; docs/observability.md maps each one to its KPI figure.
/// </summary>
public static class RetailMetrics
{
    public const string Name = "Retail";
    public const string ChannelTag = "channel";
    public const string StatusTag = "status";
    public const string DestinationTag = "destination";

    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> OrdersReceivedCounter =
        Meter.CreateCounter<long>("retail.orders.received", "{order}", "Orders taken in, by channel.");
    private static readonly Counter<long> OrderOutcomes =
        Meter.CreateCounter<long>("retail.orders.outcomes", "{order}", "Orders reaching released, backordered, on-hold, cancelled or completed.");
    private static readonly Counter<long> Fallout =
        Meter.CreateCounter<long>("retail.orders.fallout", "{order}", "Orders going on hold, backordered or cancelled.");
    private static readonly Counter<long> ReservationsMade =
        Meter.CreateCounter<long>("retail.reservations.made", "{reservation}", "Reservations granted.");
    private static readonly Counter<long> ReservationsRejected =
        Meter.CreateCounter<long>("retail.reservations.rejected", "{reservation}", "Reservations refused for lack of stock.");
    private static readonly Counter<long> ReservationsExpired =
        Meter.CreateCounter<long>("retail.reservations.expired", "{reservation}", "Unpaid reservations released when they lapsed.");

    private static readonly Counter<long> ReservationsOrphaned =
        Meter.CreateCounter<long>("retail.reservations.orphaned", "{reservation}", "Reservations released because no order held them (an intake failed before its order was written).");
    private static readonly Counter<long> OversellsPrevented =
        Meter.CreateCounter<long>("retail.inventory.oversells_prevented", "{reservation}", "Reservations refused because they would take available stock below zero.");
    private static readonly Histogram<double> FulfilmentLatency =
        Meter.CreateHistogram<double>("retail.orders.fulfilment_latency", "s", "From an order's receipt to its shipment.");
    private static readonly Histogram<double> ErpPostingDelay =
        Meter.CreateHistogram<double>("retail.erp.posting_delay", "s", "From an order's release to the ERP accepting its posting.");
    private static readonly Histogram<long> InventoryVarianceUnits =
        Meter.CreateHistogram<long>("retail.inventory.variance", "{unit}", "Absolute units a stock snapshot differed from the expected on hand.");
    private static readonly UpDownCounter<double> RefundsPending =
        Meter.CreateUpDownCounter<double>("retail.refunds.pending_amount", "{currency}", "Change of the amount of refunds requested and not yet settled.");
    private static readonly UpDownCounter<long> OutboxBacklogCounter =
        Meter.CreateUpDownCounter<long>("retail.outbox.backlog", "{message}", "Effects written to an outbox and not yet delivered, by destination.");

    private static readonly UpDownCounter<long> ExceptionsOpenCounter =
        Meter.CreateUpDownCounter<long>("retail.exceptions.open", "{exception}", "Change of the number of open exception records, by kind.");

    private static readonly Histogram<double> ExceptionRecoveryTime =
        Meter.CreateHistogram<double>("retail.exceptions.recovery_time", "s", "From an exception record's raise to its resolution, by kind.");

    private static readonly Histogram<double> ReturnCycleTime =
        Meter.CreateHistogram<double>("retail.returns.cycle_time", "s", "A return's authorisation to its receipt, its receipt to its refund, and its authorisation to its refund, by stage.");

    private static readonly Counter<long> ManualTouches =
        Meter.CreateCounter<long>("retail.exceptions.manual_touches", "{exception}", "Exception records a person retried or resolved for the first time, by kind.");

    public const string StageTag = "stage";

    public static void OrderReceived(string channel) => OrdersReceivedCounter.Add(1, new KeyValuePair<string, object?>(ChannelTag, channel));

    /// <summary>Counts the status an order reached, when it is an outcome; fallout statuses count as fallout too.</summary>
    public static void OrderReached(OrderStatus status, string channel)
    {
        if (StatusName(status) is not { } name)
        {
            return;
        }
        var tags = new TagList { { StatusTag, name }, { ChannelTag, channel } };
        OrderOutcomes.Add(1, tags);
        if (status is OrderStatus.OnHold or OrderStatus.Backordered or OrderStatus.Cancelled)
        {
            Fallout.Add(1, tags);
        }
    }

    public static void OrderShipped(DateTimeOffset receivedAt, DateTimeOffset shippedAt, string channel) =>
        FulfilmentLatency.Record(Math.Max(0, (shippedAt - receivedAt).TotalSeconds), new KeyValuePair<string, object?>(ChannelTag, channel));

    public static void PostingAccepted(DateTimeOffset releasedAt, DateTimeOffset acceptedAt) =>
        ErpPostingDelay.Record(Math.Max(0, (acceptedAt - releasedAt).TotalSeconds));

    public static void RefundBacklogChanged(decimal delta)
    {
        if (delta != 0)
        {
            RefundsPending.Add((double)delta);
        }
    }

    public static void ReservationMade() => ReservationsMade.Add(1);

    /// <summary>A reservation refused because it asked for more than is available: an oversell prevented.</summary>
    public static void ReservationRejected()
    {
        ReservationsRejected.Add(1);
        OversellsPrevented.Add(1);
    }

    public static void ReservationExpired(int count) => ReservationsExpired.Add(count);

    public static void ReservationOrphaned() => ReservationsOrphaned.Add(1);

    public static void InventoryVariance(int variance) =>
        InventoryVarianceUnits.Record(Math.Abs((long)variance), new KeyValuePair<string, object?>("direction", variance > 0 ? "over" : "under"));

    public static void OutboxBacklogChanged(string destination, int delta)
    {
        if (delta != 0)
        {
            OutboxBacklogCounter.Add(delta, new KeyValuePair<string, object?>(DestinationTag, destination));
        }
    }

    /// <summary>A new exception record was opened.</summary>
    public static void ExceptionOpened(string kind) => ExceptionsOpenCounter.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>An open exception record was resolved after <paramref name="open"/>.</summary>
    public static void ExceptionResolved(string kind, TimeSpan open)
    {
        var tag = new KeyValuePair<string, object?>("kind", kind);
        ExceptionsOpenCounter.Add(-1, tag);
        ExceptionRecoveryTime.Record(Math.Max(0, open.TotalSeconds), tag);
    }

    /// <summary>A return's goods arrived <paramref name="received"/> after it was authorised.</summary>
    public static void ReturnReceived(TimeSpan received) =>
        ReturnCycleTime.Record(Math.Max(0, received.TotalSeconds), new KeyValuePair<string, object?>(StageTag, "authorized_to_received"));

    /// <summary>A return's refund was confirmed; <paramref name="sinceReceived"/> is null for a return refunded before its goods arrived.</summary>
    public static void ReturnRefunded(TimeSpan sinceAuthorized, TimeSpan? sinceReceived)
    {
        ReturnCycleTime.Record(Math.Max(0, sinceAuthorized.TotalSeconds), new KeyValuePair<string, object?>(StageTag, "authorized_to_refunded"));
        if (sinceReceived is { } received)
        {
            ReturnCycleTime.Record(Math.Max(0, received.TotalSeconds), new KeyValuePair<string, object?>(StageTag, "received_to_refunded"));
        }
    }

    /// <summary>A person retried or resolved an exception record for the first time: its order needed a person.</summary>
    public static void ExceptionTouchedByHand(string kind) => ManualTouches.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>The metric's name for an outcome status, or null when the status is not an outcome.</summary>
    public static string? StatusName(OrderStatus status) => status switch
    {
        OrderStatus.Released => "released",
        OrderStatus.Backordered => "backordered",
        OrderStatus.OnHold => "on-hold",
        OrderStatus.Cancelled => "cancelled",
        OrderStatus.Completed => "completed",
        _ => null,
    };
}
