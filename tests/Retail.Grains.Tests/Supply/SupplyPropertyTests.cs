using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Locations;
using Retail.Contracts.Orders;
using Retail.Contracts.Transfers;
using Retail.Grains.Tests.Orders;

namespace Retail.Grains.Tests.Supply;

/// <summary>
/// Random sequences of orders, purchase orders, receipts, transfers and stock counts over one SKU at a warehouse and a
/// store, checked after every step (once the outboxes drained) against the rules of stock in motion: no unit is lost or
/// counted twice between on hand and in transit, promises never exceed the supply they draw on, available never goes
/// negative, and every reserved or promised unit belongs to exactly one order line.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SupplyPropertyTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset Monday = new(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Property(MaxTest = 12, Arbitrary = [typeof(SupplyScripts)], QuietOnSuccess = true)]
    public async Task Operations_AnySequence_KeepTheInvariantsOfStockInMotion(SupplyScript script)
    {
        var scenario = new OrderScenario(fixture.Grains);
        var sku = OrderScenario.NewId("SKU");
        var warehouse = await scenario.LocationAsync("wh", LocationType.Warehouse, 70);
        var store = await scenario.LocationAsync("store", LocationType.Store, 80);
        var model = new Model();
        await scenario.StockAsync(sku, warehouse, 0);
        await scenario.StockAsync(sku, store, 0);
        var orders = new List<string>();
        var snapshotMinute = 0;

        foreach (var step in script.Steps)
        {
            switch (step)
            {
                case SupplyStep.Order order:
                    orders.Add((await scenario.SubmitAsync(OrderScenario.Canonical(("1", sku, order.Quantity)))).OrderId);
                    break;
                case SupplyStep.ConfirmPo confirm:
                    var poId = $"{sku}-po{confirm.Po}";
                    var location = confirm.AtStore ? store : warehouse;
                    var confirmed = fixture.Grains.GetGrain<IPurchaseOrderGrain>(poId).ConfirmAsync(new PurchaseOrderConfirmed
                    {
                        PoId = poId,
                        LocationId = location,
                        Lines = [new PurchaseOrderLine { Sku = sku, Quantity = confirm.Quantity, ExpectedAt = Monday.AddDays(confirm.Day) }],
                    });
                    if (model.PoLocation.TryGetValue(confirm.Po, out var at) && at != location)
                    {
                        Assert.Equal(ProblemCodes.SupplyConflict, (await Assert.ThrowsAsync<RetailException>(() => confirmed)).Code);
                        break;
                    }
                    await confirmed;
                    model.PoLocation[confirm.Po] = location;
                    break;
                case SupplyStep.ReceivePo receive:
                    var receivedPo = $"{sku}-po{receive.Po}";
                    var receipt = fixture.Grains.GetGrain<IPurchaseOrderGrain>(receivedPo);
                    if (!model.PoLocation.TryGetValue(receive.Po, out var poLocation))
                    {
                        Assert.Equal(ProblemCodes.PurchaseOrderNotFound, (await Assert.ThrowsAsync<RetailException>(() => receipt.ReceiveAsync(new PurchaseOrderReceived
                        {
                            PoId = receivedPo, LocationId = warehouse, ReceivedAt = Monday, Lines = [new SkuQuantity { Sku = sku, Quantity = receive.Quantity }],
                        }))).Code);
                        break;
                    }
                    await receipt.ReceiveAsync(new PurchaseOrderReceived
                    {
                        PoId = receivedPo, LocationId = poLocation, ReceivedAt = Monday, Lines = [new SkuQuantity { Sku = sku, Quantity = receive.Quantity }],
                    });
                    if (model.ReceivedPos.Add(receive.Po))
                    {
                        model.OnHand[poLocation == store] += receive.Quantity;
                    }
                    break;
                case SupplyStep.Ship ship:
                    var transferId = $"{sku}-tr{model.Transfers.Count}";
                    await fixture.Grains.GetGrain<ITransferGrain>(transferId).ShipAsync(new TransferShipped
                    {
                        TransferId = transferId, FromLocationId = warehouse, ToLocationId = store, ShippedAt = Monday, ExpectedAt = Monday.AddDays(ship.Day),
                        Lines = [new SkuQuantity { Sku = sku, Quantity = ship.Quantity }],
                    });
                    var moved = Math.Min(ship.Quantity, model.OnHand[false]);
                    model.OnHand[false] -= moved;
                    model.Transfers.Add((transferId, ship.Quantity));
                    model.InTransit += ship.Quantity;
                    break;
                case SupplyStep.ReceiveTransfer receiveTransfer when model.Transfers.Count > 0:
                    var (id, quantity) = model.Transfers[^1];
                    await fixture.Grains.GetGrain<ITransferGrain>(id).ReceiveAsync(new TransferReceived
                    {
                        TransferId = id, ToLocationId = store, ReceivedAt = Monday, Lines = [new SkuQuantity { Sku = sku, Quantity = receiveTransfer.Quantity }],
                    });
                    if (model.ReceivedTransfers.Add(id))
                    {
                        model.OnHand[true] += receiveTransfer.Quantity;
                        model.InTransit -= quantity;
                    }
                    break;
                case SupplyStep.Snapshot snapshot:
                    var counted = await scenario.Inventory(sku, snapshot.AtStore ? store : warehouse).ApplySnapshotAsync(Monday.AddMinutes(++snapshotMinute), snapshot.OnHand);
                    Assert.True(counted.Applied);
                    model.OnHand[snapshot.AtStore] = snapshot.OnHand;
                    break;
            }

            await OutboxSettling.SettledAsync();
            await CheckAsync(scenario, sku, warehouse, store, orders, model, step);
        }
    }

    private static async Task CheckAsync(OrderScenario scenario, string sku, string warehouse, string store, List<string> orders, Model model, SupplyStep step)
    {
        var atWarehouse = await scenario.Inventory(sku, warehouse).GetAsync();
        var atStore = await scenario.Inventory(sku, store).GetAsync();
        Assert.Equal((model.OnHand[false], model.OnHand[true]), (atWarehouse.OnHand, atStore.OnHand));
        Assert.Equal(model.InTransit, atWarehouse.InTransit + atStore.InTransit);
        var views = await Task.WhenAll(orders.Select(scenario.ViewAsync));
        foreach (var position in new[] { atWarehouse, atStore })
        {
            Assert.True(position.Reserved == 0 || position.Available >= 0, $"reservations exceed stock after {step}: {position}");
            Assert.DoesNotContain(position.Inbound, s => s.Promised > s.Quantity);
            Assert.Equal(position.Inbound.Sum(s => s.Promised), position.Promised);
            var heldByOrders = views.SelectMany(v => v.Lines).SelectMany(l => l.Allocations).Where(a => a.LocationId == position.LocationId).Sum(a => a.Quantity);
            Assert.Equal(position.Reserved, heldByOrders);
        }
        Assert.Equal(atWarehouse.Promised + atStore.Promised, views.Sum(v => v.Lines.Sum(l => l.Promised)));
        foreach (var view in views)
        {
            var line = view.Lines[0];
            Assert.Equal(line.Ordered, line.Reserved + line.Promised + line.Backordered);
            Assert.Equal(line.Promised > 0 && line.Backordered == 0, view.Status == OrderStatus.Promised);
        }
    }

    private sealed class Model
    {
        /// <summary>On hand by location: false = warehouse, true = store.</summary>
        public Dictionary<bool, int> OnHand { get; } = new() { [false] = 0, [true] = 0 };
        public int InTransit { get; set; }
        public Dictionary<int, string> PoLocation { get; } = [];
        public HashSet<int> ReceivedPos { get; } = [];
        public List<(string Id, int Quantity)> Transfers { get; } = [];
        public HashSet<string> ReceivedTransfers { get; } = new(StringComparer.Ordinal);
    }
}

public sealed record SupplyScript(IReadOnlyList<SupplyStep> Steps)
{
    public override string ToString() => string.Join("; ", Steps);
}

public abstract record SupplyStep
{
    public sealed record Order(int Quantity) : SupplyStep;
    public sealed record ConfirmPo(int Po, bool AtStore, int Quantity, int Day) : SupplyStep;
    public sealed record ReceivePo(int Po, int Quantity) : SupplyStep;
    public sealed record Ship(int Quantity, int Day) : SupplyStep;
    public sealed record ReceiveTransfer(int Quantity) : SupplyStep;
    public sealed record Snapshot(bool AtStore, int OnHand) : SupplyStep;
}

public static class SupplyScripts
{
    public static Arbitrary<SupplyScript> Scripts()
    {
        var step = Gen.Frequency(
            (5, Gen.Choose(1, 4).Select(quantity => (SupplyStep)new SupplyStep.Order(quantity))),
            (4, from po in Gen.Choose(1, 3)
                from atStore in Gen.Elements(false, false, true)
                from quantity in Gen.Choose(0, 8)
                from day in Gen.Choose(1, 9)
                select (SupplyStep)new SupplyStep.ConfirmPo(po, atStore, quantity, day)),
            (3, from po in Gen.Choose(1, 3)
                from quantity in Gen.Choose(0, 8)
                select (SupplyStep)new SupplyStep.ReceivePo(po, quantity)),
            (2, from quantity in Gen.Choose(1, 4)
                from day in Gen.Choose(1, 9)
                select (SupplyStep)new SupplyStep.Ship(quantity, day)),
            (2, Gen.Choose(0, 4).Select(quantity => (SupplyStep)new SupplyStep.ReceiveTransfer(quantity))),
            (2, from atStore in Gen.Elements(false, true)
                from onHand in Gen.Choose(0, 8)
                select (SupplyStep)new SupplyStep.Snapshot(atStore, onHand)));
        return Gen.ListOf(step, 14).Select(steps => new SupplyScript(steps.ToList())).ToArbitrary();
    }
}
