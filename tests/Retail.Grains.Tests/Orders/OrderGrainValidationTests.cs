using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

[Collection(ClusterCollection.Name)]
public sealed class OrderGrainValidationTests(ClusterFixture fixture)
{
    private readonly OrderScenario _scenario = new(fixture.Grains);

    public static TheoryData<string, string> InvalidOrders => new()
    {
        { "no lines", "lines" },
        { "duplicate line ids", "lines[1].lineId" },
        { "zero quantity", "lines[0].quantity" },
        { "negative price", "lines[0].unitPrice" },
        { "bad currency", "currency" },
        { "pickup without location", "fulfillment.pickupLocationId" },
        { "unknown channel", "channel" },
        { "missing channel order id", "channelOrderId" },
    };

    [Theory]
    [MemberData(nameof(InvalidOrders))]
    public async Task Submit_InvalidOrder_IsRejectedWithTheFieldAndNothingIsStored(string problem, string field)
    {
        var order = Broken(problem);
        var orderId = OrderScenario.NewId("ord");

        var error = await Assert.ThrowsAsync<RetailValidationException>(() => _scenario.Order(orderId).SubmitAsync(order with { OrderId = orderId }));

        Assert.Equal(ProblemCodes.ValidationFailed, error.Code);
        Assert.Contains(field, error.Errors.Keys);
        Assert.Null(await _scenario.Order(orderId).GetAsync());
        Assert.Empty(OrderScenario.EventsOf(orderId));
    }

    [Fact]
    public async Task Submit_WithAnotherOrdersId_IsRejected()
    {
        var orderId = OrderScenario.NewId("ord");

        var error = await Assert.ThrowsAsync<RetailValidationException>(() =>
            _scenario.Order(orderId).SubmitAsync(OrderScenario.Canonical(("1", "SKU-1", 1)) with { OrderId = "someone-else" }));

        Assert.Contains("orderId", error.Errors.Keys);
    }

    [Fact]
    public async Task Cancel_UnknownLineOrZeroQuantity_IsRejectedWithTheField()
    {
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", OrderScenario.NewId("sku"), 1)));
        var order = _scenario.Order(orderId);

        var unknown = await Assert.ThrowsAsync<RetailValidationException>(() =>
            order.CancelAsync(new CancelRequest { Reason = "x", Lines = [new LineQuantity { LineId = "9", Quantity = 1 }] }));
        var zero = await Assert.ThrowsAsync<RetailValidationException>(() =>
            order.CancelAsync(new CancelRequest { Reason = "x", Lines = [new LineQuantity { LineId = "1", Quantity = 0 }] }));

        Assert.Contains("lines[0].lineId", unknown.Errors.Keys);
        Assert.Contains("lines[0].quantity", zero.Errors.Keys);
    }

    [Fact]
    public async Task UpdatePayment_WithUnknownStatus_IsRejected()
    {
        var (orderId, _) = await _scenario.SubmitAsync(OrderScenario.Canonical(("1", OrderScenario.NewId("sku"), 1)));

        var error = await Assert.ThrowsAsync<RetailValidationException>(() =>
            _scenario.Order(orderId).UpdatePaymentAsync(new PaymentUpdate { Status = "refunded" }));

        Assert.Contains("status", error.Errors.Keys);
    }

    private static CanonicalOrder Broken(string problem)
    {
        var valid = OrderScenario.Canonical(("1", "SKU-1", 1), ("2", "SKU-2", 1));
        return problem switch
        {
            "no lines" => valid with { Lines = [] },
            "duplicate line ids" => valid with { Lines = [valid.Lines[0], valid.Lines[1] with { LineId = "1" }] },
            "zero quantity" => valid with { Lines = [valid.Lines[0] with { Quantity = 0 }, valid.Lines[1]] },
            "negative price" => valid with { Lines = [valid.Lines[0] with { UnitPrice = -1m }, valid.Lines[1]] },
            "bad currency" => valid with { Currency = "usd1" },
            "pickup without location" => valid with { Fulfillment = new Fulfillment { Method = FulfillmentMethods.Pickup } },
            "unknown channel" => valid with { Channel = "fax" },
            "missing channel order id" => valid with { ChannelOrderId = " " },
            _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, "No such case."),
        };
    }
}
