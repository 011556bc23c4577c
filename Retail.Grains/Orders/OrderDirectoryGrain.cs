using System.Globalization;
using System.Text;
using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Grains.Orders;

/// <summary>
/// The order summaries of the embedded mode, in memory only: order grains report after each write, so after a
/// restart the directory fills again as orders change. With PostgreSQL the same questions are answered in SQL.
/// </summary>
[KeepAlive]
internal sealed class OrderDirectoryGrain(TimeProvider timeProvider) : Grain, IOrderDirectoryGrain
{
    private const int MaxLimit = 500;

    private readonly Dictionary<string, OrderSummary> _byId = new(StringComparer.Ordinal);
    private readonly SortedSet<OrderSummary> _byReceived = new(ReceivedOrder.Instance);

    public Task RecordAsync(OrderSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (string.IsNullOrEmpty(summary.OrderId))
        {
            throw new ArgumentException("A summary needs its order id.", nameof(summary));
        }
        if (_byId.TryGetValue(summary.OrderId, out var previous))
        {
            if (previous.UpdatedAt > summary.UpdatedAt)
            {
                // A report overtaken by a later one.
                return Task.CompletedTask;
            }
            _byReceived.Remove(previous);
        }
        _byId[summary.OrderId] = summary;
        _byReceived.Add(summary);
        return Task.CompletedTask;
    }

    public Task<OrderPage> ListAsync(OrderListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (query.Limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"Must be between 1 and {MaxLimit}."];
        }
        if (query.OlderThanMinutes is < 0)
        {
            errors["olderThanMinutes"] = ["Must not be negative."];
        }
        (DateTimeOffset ReceivedAt, string OrderId)? after = null;
        if (query.Cursor is { } cursor)
        {
            after = DecodeCursor(cursor);
            if (after is null)
            {
                errors["cursor"] = ["Is not a cursor this list gave out."];
            }
        }
        if (errors.Count > 0)
        {
            throw new RetailValidationException(errors);
        }

        var receivedBefore = query.OlderThanMinutes is { } minutes ? timeProvider.GetUtcNow().AddMinutes(-minutes) : (DateTimeOffset?)null;
        IEnumerable<OrderSummary> candidates = _byReceived;
        if (after is { } position)
        {
            var last = new OrderSummary { ReceivedAt = position.ReceivedAt, OrderId = position.OrderId };
            candidates = _byReceived.Count > 0 && ReceivedOrder.Instance.Compare(last, _byReceived.Max) < 0
                ? _byReceived.GetViewBetween(last, _byReceived.Max!).Where(s => ReceivedOrder.Instance.Compare(s, last) > 0)
                : [];
        }
        var page = candidates
            .Where(s => query.Status is null || s.Status == query.Status)
            .Where(s => query.Channel is null || s.Channel == query.Channel)
            .Where(s => receivedBefore is null || s.ReceivedAt < receivedBefore)
            .Take(query.Limit + 1)
            .ToList();
        var more = page.Count > query.Limit;
        if (more)
        {
            page.RemoveAt(page.Count - 1);
        }
        return Task.FromResult(new OrderPage
        {
            Items = page,
            NextCursor = more ? EncodeCursor(page[^1]) : null,
        });
    }

    public Task<IReadOnlyList<OrderSummary>> ReceivedSinceAsync(DateTimeOffset since) =>
        Task.FromResult<IReadOnlyList<OrderSummary>>(_byReceived.Where(s => s.ReceivedAt >= since).ToList());

    private static string EncodeCursor(OrderSummary last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.ReceivedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{last.OrderId}"));

    private static (DateTimeOffset ReceivedAt, string OrderId)? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            var separator = text.IndexOf('|', StringComparison.Ordinal);
            if (separator > 0
                && long.TryParse(text.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && separator < text.Length - 1)
            {
                return (new DateTimeOffset(ticks, TimeSpan.Zero), text[(separator + 1)..]);
            }
        }
        catch (FormatException)
        {
            return null;
        }
        return null;
    }

    /// <summary>Oldest first: by received time, then order id.</summary>
    private sealed class ReceivedOrder : IComparer<OrderSummary>
    {
        public static ReceivedOrder Instance { get; } = new();

        public int Compare(OrderSummary? x, OrderSummary? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }
            if (x is null)
            {
                return -1;
            }
            if (y is null)
            {
                return 1;
            }
            var byTime = x.ReceivedAt.UtcTicks.CompareTo(y.ReceivedAt.UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.OrderId, y.OrderId);
        }
    }
}
