using Retail.Contracts.Exceptions;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

/// <summary>What order intake writes durably, counted by the storage itself.</summary>
[Collection(CountingClusterCollection.Name)]
public sealed class OrderGrainStorageTests(CountingClusterFixture fixture)
{
    private readonly OrderScenario _scenario = new(fixture.Grains);

    private static CountingGrainStorage Storage => CountingClusterFixture.Storage;

    [Fact]
    public async Task Submit_TwoLineOrder_WritesTheOrderOnceAndEachDedupeKeyOnce()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var (skuA, skuB) = (OrderScenario.NewId("sku-a"), OrderScenario.NewId("sku-b"));
        await _scenario.StockAsync(skuA, warehouse, 10);
        await _scenario.StockAsync(skuB, warehouse, 10);
        var order = OrderScenario.Canonical(("1", skuA, 2), ("2", skuB, 1));
        var positionWrites = (Storage.WritesOf("inventory", $"{skuA}@{warehouse}"), Storage.WritesOf("inventory", $"{skuB}@{warehouse}"));

        var (orderId, result) = await _scenario.SubmitAsync(order);

        Assert.Equal(OrderStatus.Released, result.Status);
        Assert.Equal(1, Storage.WritesOf("order", orderId));
        Assert.Equal(1, Storage.WritesOf("orderIndex", OrderIndexKey.For(order.Channel, order.ChannelOrderId)));
        Assert.Equal(1, Storage.WritesOf("orderIndex", OrderIndexKey.ForPaymentReference(order.Payment!.Provider!, order.Payment.Reference!)));
        Assert.Equal(positionWrites.Item1 + 1, Storage.WritesOf("inventory", $"{skuA}@{warehouse}"));
        Assert.Equal(positionWrites.Item2 + 1, Storage.WritesOf("inventory", $"{skuB}@{warehouse}"));
    }

    [Fact]
    public async Task Submit_RepeatedUnderAnotherOrderId_WritesNothing()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 10);
        var order = OrderScenario.Canonical(("1", sku, 2));
        var (orderId, _) = await _scenario.SubmitAsync(order);
        var positionWrites = Storage.WritesOf("inventory", $"{sku}@{warehouse}");

        var (repeatId, repeat) = await _scenario.SubmitAsync(order);

        Assert.Equal((orderId, false), (repeat.OrderId, repeat.Created));
        Assert.Null(await _scenario.Order(repeatId).GetAsync());
        Assert.Equal((1, 0), (Storage.WritesOf("order", orderId), Storage.WritesOf("order", repeatId)));
        Assert.Equal(positionWrites, Storage.WritesOf("inventory", $"{sku}@{warehouse}"));
        Assert.Equal(1, Storage.WritesOf("orderIndex", OrderIndexKey.For(order.Channel, order.ChannelOrderId)));
        Assert.Equal(1, Storage.WritesOf("orderIndex", OrderIndexKey.ForPaymentReference(order.Payment!.Provider!, order.Payment.Reference!)));
    }

    [Fact]
    public async Task Submit_ManyOrdersForASoldOutSku_BackordersEachWithItsException()
    {
        var warehouse = await _scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var sku = OrderScenario.NewId("sku");
        await _scenario.StockAsync(sku, warehouse, 0);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => _scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, 1)))));

        Assert.All(results, r => Assert.Equal(OrderStatus.Backordered, r.Result.Status));
        foreach (var (orderId, _) in results)
        {
            Assert.Equal(ExceptionKinds.Backordered, Assert.Single(await _scenario.ExceptionsOfAsync(orderId)).Kind);
        }
    }
}
