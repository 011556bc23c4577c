using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;

namespace Retail.Api.Operations;

/// <summary>Computes <see cref="KpiReport"/> from <see cref="KpiInputs"/>; pure, so each definition is testable on its own.</summary>
internal static class KpiCalculator
{
    private static readonly OrderStatus[] Fallout = [OrderStatus.OnHold, OrderStatus.Backordered, OrderStatus.Cancelled];

    public static DateTimeOffset StartOfDay(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);

    public static KpiReport Compute(KpiInputs inputs, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var today = StartOfDay(now);
        var received = inputs.Orders.Where(order => order.ReceivedAt >= today).ToList();
        var shippedToday = inputs.Orders.Where(order => order.ShippedAt >= today).ToList();
        var acceptedToday = inputs.Orders.Where(order => order.ReleasedAt is not null && order.PostingAcceptedAt >= today).ToList();
        var refunds = inputs.Orders.Where(order => order.RefundPendingAmount > 0).ToList();
        var returns = inputs.Returns ?? [];
        var receivedIds = received.Select(order => order.OrderId).ToHashSet(StringComparer.Ordinal);
        var touched = inputs.OpenExceptions.Concat(inputs.ResolvedExceptions ?? [])
            .Where(record => record.ManualTouches > 0 && receivedIds.Contains(record.BusinessKey))
            .Select(record => record.BusinessKey)
            .Distinct(StringComparer.Ordinal)
            .Count();
        var oldest = inputs.OpenExceptions.Count == 0 ? (DateTimeOffset?)null : inputs.OpenExceptions.Min(record => record.CreatedAt);

        return new KpiReport
        {
            AsOf = now,
            Since = today,
            Orders = new OrdersToday
            {
                Total = received.Count,
                ByChannel = CountBy(received, order => order.Channel),
                ByStatus = CountBy(received, order => order.Status.ToString()),
            },
            FalloutRate = received.Count == 0 ? 0 : (double)received.Count(order => Fallout.Contains(order.Status)) / received.Count,
            Exceptions = new OpenExceptions
            {
                Count = inputs.OpenExceptions.Count,
                OldestAgeSeconds = oldest is { } created ? Math.Max(0, (now - created).TotalSeconds) : null,
                ByKind = CountBy(inputs.OpenExceptions, record => record.Kind),
            },
            FulfilmentLatency = Percentiles([.. shippedToday.Select(order => (order.ShippedAt!.Value - order.ReceivedAt).TotalSeconds)]),
            ErpPostingDelay = Percentiles([.. acceptedToday.Select(order => (order.PostingAcceptedAt!.Value - order.ReleasedAt!.Value).TotalSeconds)]),
            InventoryVariance = new InventoryVariance
            {
                Today = inputs.VarianceExceptionsToday.Count,
                OpenToday = inputs.VarianceExceptionsToday.Count(record => record.Status == ExceptionStatus.Open),
            },
            RefundBacklog = new RefundBacklog { Count = refunds.Count, Amount = refunds.Sum(order => order.RefundPendingAmount) },
            RecoveryTimeByKind = (inputs.ResolvedExceptions ?? [])
                .Where(record => record.Status == ExceptionStatus.Resolved)
                .GroupBy(record => record.Kind, StringComparer.Ordinal)
                .OrderBy(group => group.Key, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => Percentiles([.. group.Select(record => (record.UpdatedAt - record.CreatedAt).TotalSeconds)]), StringComparer.Ordinal),
            ReturnCycleTime = new ReturnCycleTime
            {
                AuthorizedToReceived = Percentiles([.. returns.Where(r => r.ReceivedAt is not null).Select(r => (r.ReceivedAt!.Value - r.AuthorizedAt).TotalSeconds)]),
                ReceivedToRefunded = Percentiles([.. returns.Where(r => r.ReceivedAt is not null && r.RefundedAt is not null)
                    .Select(r => (r.RefundedAt!.Value - r.ReceivedAt!.Value).TotalSeconds)]),
                AuthorizedToRefunded = Percentiles([.. returns.Where(r => r.RefundedAt is not null).Select(r => (r.RefundedAt!.Value - r.AuthorizedAt).TotalSeconds)]),
            },
            ManualTouchRate = new ManualTouchRate
            {
                Orders = received.Count,
                Touched = touched,
                PerHundredOrders = received.Count == 0 ? 0 : 100.0 * touched / received.Count,
            },
        };
    }

    /// <summary>Nearest-rank percentiles: the smallest value with at least p% of the values at or below it.</summary>
    public static LatencyPercentiles Percentiles(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return new LatencyPercentiles();
        }
        var sorted = values.Select(value => Math.Max(0, value)).Order().ToArray();
        double Rank(double percent) => sorted[Math.Max(0, (int)Math.Ceiling(percent / 100 * sorted.Length) - 1)];
        return new LatencyPercentiles { Count = sorted.Length, P50Seconds = Rank(50), P95Seconds = Rank(95) };
    }

    private static Dictionary<string, int> CountBy<T>(IEnumerable<T> items, Func<T, string> key) =>
        items.GroupBy(key, StringComparer.Ordinal).OrderBy(group => group.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
}
