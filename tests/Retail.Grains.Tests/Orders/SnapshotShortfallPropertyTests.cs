using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Retail.Contracts.Locations;
using Retail.Contracts.Inventory;

namespace Retail.Grains.Tests.Orders;

/// <summary>
/// Orders of one SKU placed one after the other at a warehouse and a store, then random stock counts at either: after
/// each count, once the orders have sourced again, no position is oversold, the counted position gave back no more than
/// its shortfall, an older order is never worse off than a newer one, and the same script ends the same way twice.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SnapshotShortfallPropertyTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset CountedBase = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Property(MaxTest = 12, Arbitrary = [typeof(ShortfallScripts)], QuietOnSuccess = true)]
    public async Task ApplySnapshot_AnySequence_OlderOrdersNeverWorseOffAndOutcomeDeterministic(ShortfallScript script)
    {
        var first = await RunAsync(script);
        var second = await RunAsync(script);

        Assert.Equal(first, second);
    }

    /// <summary>Runs the script on a fresh SKU and locations; answers each order's reserved units after each count.</summary>
    private async Task<string> RunAsync(ShortfallScript script)
    {
        var scenario = new OrderScenario(fixture.Grains);
        var warehouse = await scenario.LocationAsync("wh", LocationType.Warehouse, priority: 1);
        var store = await scenario.LocationAsync("st", LocationType.Store, priority: 5);
        var sku = OrderScenario.NewId("sku");
        await scenario.StockAsync(sku, warehouse, script.Warehouse);
        await scenario.StockAsync(sku, store, script.Store);
        var orders = new List<(string OrderId, int Quantity)>();
        foreach (var quantity in script.Orders)
        {
            var (orderId, _) = await scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, quantity)));
            orders.Add((orderId, quantity));
        }
        var outcomes = new List<string>();

        for (var step = 0; step < script.Counts.Count; step++)
        {
            var count = script.Counts[step];
            var locationId = count.AtStore ? store : warehouse;
            var before = await scenario.Inventory(sku, locationId).GetAsync();
            await scenario.Inventory(sku, locationId).ApplySnapshotAsync(CountedBase.AddMinutes(step), count.OnHand);

            var settled = await SettledAsync(scenario, sku, [warehouse, store], orders);
            var after = settled.Positions[locationId];
            Assert.True(after.Reserved <= count.OnHand, $"{locationId} reserves {after.Reserved} of {count.OnHand} after {script}");
            Assert.True(after.Reserved >= Math.Min(before.Reserved, count.OnHand),
                $"{locationId} gave back more than its shortfall: {before.Reserved} reserved, counted {count.OnHand}, now {after.Reserved} ({script})");
            foreach (var position in settled.Positions.Values)
            {
                Assert.True(position.Reserved <= position.OnHand, $"{position.LocationId} oversold: {position.Reserved} of {position.OnHand} ({script})");
            }
            for (var older = 0; older < orders.Count; older++)
            {
                for (var newer = older + 1; newer < orders.Count; newer++)
                {
                    Assert.False(settled.Reserved[older] < orders[older].Quantity && settled.Reserved[newer] > 0,
                        $"order {older} holds {settled.Reserved[older]} of {orders[older].Quantity} while newer order {newer} holds {settled.Reserved[newer]} ({script})");
                }
            }
            outcomes.Add(string.Join(",", settled.Reserved));
        }
        return string.Join(" | ", outcomes);
    }

    /// <summary>Reads until the orders and positions agree and stay the same over a few reads (re-sourcing has finished).</summary>
    private static async Task<Settled> SettledAsync(OrderScenario scenario, string sku, string[] locations, List<(string OrderId, int Quantity)> orders)
    {
        var deadline = DateTime.UtcNow + OrderScenario.WaitLimit;
        string? previous = null;
        var unchanged = 0;
        while (true)
        {
            var views = await Task.WhenAll(orders.Select(o => scenario.ViewAsync(o.OrderId)));
            var positions = (await Task.WhenAll(locations.Select(l => scenario.Inventory(sku, l).GetAsync()))).ToDictionary(p => p.LocationId);
            var reserved = views.Select(v => v.Lines[0].Reserved).ToList();
            var byLocation = locations.ToDictionary(l => l, l => views.Sum(v => v.Lines[0].Allocations.Where(a => a.LocationId == l).Sum(a => a.Quantity)));
            var agree = locations.All(l => byLocation[l] == positions[l].Reserved);
            var reading = $"{string.Join(",", reserved)}/{string.Join(",", positions.Values.Select(p => p.Reserved))}";
            unchanged = agree && reading == previous ? unchanged + 1 : 0;
            previous = reading;
            if (unchanged >= 3)
            {
                return new Settled(reserved, positions);
            }
            Assert.True(DateTime.UtcNow < deadline, $"orders and positions did not settle: {reading}");
            await Task.Delay(100);
        }
    }

    private sealed record Settled(List<int> Reserved, Dictionary<string, InventoryPosition> Positions);
}

/// <summary>Stock at a warehouse and a store, orders in the order they are placed, then stock counts.</summary>
public sealed record ShortfallScript(int Warehouse, int Store, IReadOnlyList<int> Orders, IReadOnlyList<StockCount> Counts)
{
    public override string ToString() =>
        $"warehouse {Warehouse}, store {Store}, orders [{string.Join(", ", Orders)}], counts [{string.Join(", ", Counts)}]";
}

public sealed record StockCount(bool AtStore, int OnHand)
{
    public override string ToString() => $"{(AtStore ? "store" : "warehouse")}={OnHand}";
}

public static class ShortfallScripts
{
    public static Arbitrary<ShortfallScript> Scripts()
    {
        var count = from atStore in Gen.Elements(false, false, true)
                    from onHand in Gen.Choose(0, 12)
                    select new StockCount(atStore, onHand);
        var script = from warehouse in Gen.Choose(4, 14)
                     from store in Gen.Choose(0, 5)
                     from orderCount in Gen.Choose(2, 5)
                     from orders in Gen.ListOf(Gen.Choose(1, 4), orderCount)
                     from countCount in Gen.Choose(1, 4)
                     from counts in Gen.ListOf(count, countCount)
                     select new ShortfallScript(warehouse, store, orders.ToList(), counts.ToList());
        return script.ToArbitrary();
    }
}
