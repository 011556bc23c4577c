using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

[Collection(ClusterCollection.Name)]
public sealed class OrderGrainConcurrencyTests(ClusterFixture fixture)
{
    private readonly OrderScenario _scenario = new(fixture.Grains);

    [Fact]
    public async Task Submit_500SingleUnitOrdersFor120Units_ReservesExactly120AndBackordersTheRest()
    {
        var sku = OrderScenario.NewId("sku");
        var locations = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var location = await _scenario.LocationAsync($"loc{i}", i == 0 ? LocationType.Warehouse : LocationType.Store, priority: i + 1);
            await _scenario.StockAsync(sku, location, 40);
            locations.Add(location);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 1)))));

        Assert.All(results, r => Assert.True(r.Result.Created));
        Assert.Equal(120, results.Count(r => r.Result.Status == OrderStatus.Released));
        Assert.Equal(380, results.Count(r => r.Result.Status == OrderStatus.Backordered));
        var positions = await Task.WhenAll(locations.Select(l => _scenario.Inventory(sku, l).GetAsync()));
        Assert.All(positions, p => Assert.True(p.Available >= 0));
        Assert.All(positions, p => Assert.Equal((40, 40, 0), (p.OnHand, p.Reserved, p.Available)));
        var views = await Task.WhenAll(results.Select(r => _scenario.ViewAsync(r.OrderId)));
        var reservedByOrders = views.SelectMany(v => v.Lines).SelectMany(l => l.Allocations)
            .GroupBy(a => a.LocationId)
            .ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity));
        Assert.Equal(120, views.Sum(v => v.Lines.Sum(l => l.Reserved)));
        Assert.All(positions, p => Assert.Equal(p.Reserved, reservedByOrders[p.LocationId]));
        Assert.Equal(380, views.Sum(v => v.Lines.Sum(l => l.Backordered)));
    }
}
