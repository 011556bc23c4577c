using Retail.Api.Operations;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Orders;
using Retail.Contracts.Projections;

namespace Retail.Api.Tests.Operations;

public sealed class KpiCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 15, 0, 0, TimeSpan.Zero);

    private static OrderSummary Order(OrderStatus status, string channel = "web", DateTimeOffset? receivedAt = null) => new()
    {
        OrderId = Guid.NewGuid().ToString("N"),
        Channel = channel,
        Status = status,
        ReceivedAt = receivedAt ?? Now.AddHours(-1),
    };

    [Fact]
    public void Compute_TodaysOrders_CountsByChannelAndStatusAndFallout()
    {
        var inputs = new KpiInputs(
            [Order(OrderStatus.Reserved), Order(OrderStatus.OnHold, "pos"), Order(OrderStatus.Cancelled, "pos"), Order(OrderStatus.Shipped),
             Order(OrderStatus.OnHold, receivedAt: Now.AddDays(-1))],
            [], []);

        var report = KpiCalculator.Compute(inputs, Now);

        Assert.Equal(4, report.Orders.Total);
        Assert.Equal(2, report.Orders.ByChannel["pos"]);
        Assert.Equal(1, report.Orders.ByStatus["OnHold"]);
        Assert.Equal(0.5, report.FalloutRate);
    }

    [Fact]
    public void Compute_ShippedAndPostedOrders_AnswersLatencyPercentiles()
    {
        var orders = Enumerable.Range(1, 20).Select(minutes => Order(OrderStatus.Shipped, receivedAt: Now.AddDays(-2)) with
        {
            ShippedAt = Now.AddDays(-2).AddMinutes(minutes),
        }).ToList();
        orders[0] = orders[0] with { ShippedAt = Now.AddMinutes(-5) };
        var posted = Order(OrderStatus.Released) with { ReleasedAt = Now.AddMinutes(-10), PostingAcceptedAt = Now.AddMinutes(-9) };

        var report = KpiCalculator.Compute(new KpiInputs([.. orders, posted], [], []), Now);

        Assert.Equal(1, report.FulfilmentLatency.Count);
        Assert.Equal(1, report.ErpPostingDelay.Count);
        Assert.Equal(60, report.ErpPostingDelay.P50Seconds);
    }

    [Fact]
    public void Percentiles_OfOneToHundred_AreNearestRank()
    {
        var result = KpiCalculator.Percentiles([.. Enumerable.Range(1, 100).Select(value => (double)value)]);

        Assert.Equal(50, result.P50Seconds);
        Assert.Equal(95, result.P95Seconds);
    }

    [Fact]
    public void Compute_OpenExceptionsAndRefunds_AnswersAgeAndBacklog()
    {
        var oldest = new ExceptionRecord { Id = "e1", Kind = ExceptionKinds.UnknownSku, CreatedAt = Now.AddMinutes(-30), Status = ExceptionStatus.Open };
        var newer = new ExceptionRecord { Id = "e2", Kind = ExceptionKinds.UnknownSku, CreatedAt = Now.AddMinutes(-1), Status = ExceptionStatus.Open };
        var variance = new ExceptionRecord { Id = "e3", Kind = ExceptionKinds.InventoryVariance, CreatedAt = Now.AddMinutes(-2), Status = ExceptionStatus.Resolved };
        var refunding = Order(OrderStatus.Cancelled) with { RefundPendingAmount = 12.50m };

        var report = KpiCalculator.Compute(new KpiInputs([refunding, Order(OrderStatus.Reserved)], [oldest, newer], [variance]), Now);

        Assert.Equal(2, report.Exceptions.Count);
        Assert.Equal(1800, report.Exceptions.OldestAgeSeconds);
        Assert.Equal(1, report.InventoryVariance.Today);
        Assert.Equal(0, report.InventoryVariance.OpenToday);
        Assert.Equal(1, report.RefundBacklog.Count);
        Assert.Equal(12.50m, report.RefundBacklog.Amount);
    }

    [Fact]
    public void Compute_ResolvedExceptions_AnswersRecoveryTimePercentilesByKind()
    {
        ExceptionRecord Resolved(string id, string kind, double minutes) => new()
        {
            Id = id,
            Kind = kind,
            CreatedAt = Now.AddHours(-2),
            UpdatedAt = Now.AddHours(-2).AddMinutes(minutes),
            Status = ExceptionStatus.Resolved,
        };
        var resolved = new[]
        {
            Resolved("a", ExceptionKinds.DeadLetter, 1), Resolved("b", ExceptionKinds.DeadLetter, 3), Resolved("c", ExceptionKinds.DeadLetter, 10),
            Resolved("d", ExceptionKinds.UnknownOrder, 5),
        };

        var report = KpiCalculator.Compute(new KpiInputs([], [], [], resolved), Now);

        Assert.Equal([ExceptionKinds.DeadLetter, ExceptionKinds.UnknownOrder], report.RecoveryTimeByKind.Keys);
        Assert.Equal(new LatencyPercentiles { Count = 3, P50Seconds = 180, P95Seconds = 600 }, report.RecoveryTimeByKind[ExceptionKinds.DeadLetter]);
        Assert.Equal(new LatencyPercentiles { Count = 1, P50Seconds = 300, P95Seconds = 300 }, report.RecoveryTimeByKind[ExceptionKinds.UnknownOrder]);
    }

    [Fact]
    public void Compute_ReturnsAtEachStage_AnswersCycleTimePercentilesPerStage()
    {
        var authorized = Now.AddDays(-3);
        ReturnListing Return(string id, double? receivedHours, double? refundedHours) =>
            new("o-" + id, id, authorized, receivedHours is { } r ? authorized.AddHours(r) : null, refundedHours is { } f ? authorized.AddHours(f) : null);
        var returns = new[] { Return("a", 10, 12), Return("b", 20, 30), Return("c", 30, null), Return("d", null, null) };

        var report = KpiCalculator.Compute(new KpiInputs([], [], [], [], returns), Now);

        Assert.Equal(new LatencyPercentiles { Count = 3, P50Seconds = 20 * 3600, P95Seconds = 30 * 3600 }, report.ReturnCycleTime.AuthorizedToReceived);
        Assert.Equal(new LatencyPercentiles { Count = 2, P50Seconds = 2 * 3600, P95Seconds = 10 * 3600 }, report.ReturnCycleTime.ReceivedToRefunded);
        Assert.Equal(new LatencyPercentiles { Count = 2, P50Seconds = 12 * 3600, P95Seconds = 30 * 3600 }, report.ReturnCycleTime.AuthorizedToRefunded);
    }

    [Fact]
    public void Compute_OrdersWithExceptionsTouchedByHand_AnswersTouchedOrdersPer100()
    {
        var orders = Enumerable.Range(0, 8).Select(_ => Order(OrderStatus.Reserved)).ToList();
        var yesterday = Order(OrderStatus.Reserved, receivedAt: Now.AddDays(-1));
        ExceptionRecord Touched(string id, string orderId, int touches, ExceptionStatus status) => new()
        {
            Id = id,
            Kind = ExceptionKinds.Backordered,
            BusinessKey = orderId,
            CreatedAt = Now.AddHours(-1),
            UpdatedAt = Now,
            Status = status,
            ManualTouches = touches,
        };
        var open = new[] { Touched("a", orders[0].OrderId, 1, ExceptionStatus.Open), Touched("b", orders[1].OrderId, 0, ExceptionStatus.Open) };
        var resolved = new[]
        {
            Touched("c", orders[0].OrderId, 2, ExceptionStatus.Resolved),
            Touched("d", orders[2].OrderId, 1, ExceptionStatus.Resolved),
            Touched("e", yesterday.OrderId, 1, ExceptionStatus.Resolved),
        };

        var report = KpiCalculator.Compute(new KpiInputs([.. orders, yesterday], open, [], resolved), Now);

        Assert.Equal(new ManualTouchRate { Orders = 8, Touched = 2, PerHundredOrders = 25 }, report.ManualTouchRate);
    }

    [Fact]
    public void Compute_NoOrders_ManualTouchRateIsZero()
    {
        var report = KpiCalculator.Compute(new KpiInputs([], [], []), Now);

        Assert.Equal(new ManualTouchRate(), report.ManualTouchRate);
    }
}
