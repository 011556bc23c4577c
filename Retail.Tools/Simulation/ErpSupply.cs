using System.Collections.Concurrent;
using Retail.Contracts.Erp;

namespace Retail.Tools.Simulation;

/// <summary>
/// The stand-in ERP's supply side: confirms purchase orders with an expected date, now and then confirms one again
/// later (a slip), receives each when it is due (now and then short), and ships and receives the transfers Retail
/// asks for. A local run so shows promises made from inbound supply and kept when it arrives.
/// </summary>
internal sealed class ErpSupply(Func<string, string, object, CancellationToken, Task> send, SimulationCounters counters, Random random)
{
    private static readonly TimeSpan TransitTime = TimeSpan.FromSeconds(40);
    private readonly ConcurrentDictionary<string, (PurchaseOrderConfirmed Order, DateTimeOffset DueAt, bool Slipped)> _purchaseOrders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (TransferShipped Shipped, DateTimeOffset DueAt)> _inTransit = new(StringComparer.Ordinal);
    private int _poNumber;

    /// <summary>Confirms a purchase order of <paramref name="quantity"/> units, expected after <paramref name="leadTime"/>.</summary>
    public async Task ConfirmPurchaseOrderAsync(string locationId, string sku, int quantity, TimeSpan leadTime, CancellationToken cancellationToken)
    {
        var poId = $"PO-{DateTime.UtcNow:yyyyMMdd}-{Interlocked.Increment(ref _poNumber):D4}-{random.Next(1000, 9999)}";
        var expectedAt = DateTimeOffset.UtcNow + leadTime;
        var order = new PurchaseOrderConfirmed
        {
            PoId = poId,
            LocationId = locationId,
            Lines = [new PurchaseOrderLine { Sku = sku, Quantity = quantity, ExpectedAt = expectedAt }],
        };
        _purchaseOrders[poId] = (order, expectedAt, false);
        await send(ErpMessageTypes.PurchaseOrderConfirmed, poId, order, cancellationToken);
    }

    /// <summary>Ships a transfer Retail requested; it arrives after <see cref="TransitTime"/>.</summary>
    public async Task ShipAsync(TransferRequested requested, CancellationToken cancellationToken)
    {
        var shipped = new TransferShipped
        {
            TransferId = requested.TransferId,
            FromLocationId = requested.FromLocationId,
            ToLocationId = requested.ToLocationId,
            ShippedAt = DateTimeOffset.UtcNow,
            ExpectedAt = DateTimeOffset.UtcNow + TransitTime,
            Lines = requested.Lines,
        };
        _inTransit[requested.TransferId] = (shipped, shipped.ExpectedAt);
        await send(ErpMessageTypes.TransferShipped, requested.TransferId, shipped, cancellationToken);
    }

    /// <summary>Receives what is due: purchase orders (one in five slips once first, one in ten arrives short) and transfers.</summary>
    public async Task ReceiveDueAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (poId, (order, dueAt, slippedBefore)) in _purchaseOrders.Where(p => p.Value.DueAt <= now).ToList())
        {
            if (!slippedBefore && random.NextDouble() < 0.2)
            {
                var slipped = order with { Lines = [.. order.Lines.Select(l => l with { ExpectedAt = l.ExpectedAt.AddSeconds(30) })] };
                _purchaseOrders[poId] = (slipped, dueAt.AddSeconds(30), true);
                await send(ErpMessageTypes.PurchaseOrderConfirmed, poId, slipped, cancellationToken);
                counters.Increment("purchase orders slipped");
                continue;
            }
            _purchaseOrders.TryRemove(poId, out _);
            var arrivesShort = random.NextDouble() < 0.1;
            await send(ErpMessageTypes.PurchaseOrderReceived, poId, new PurchaseOrderReceived
            {
                PoId = poId,
                LocationId = order.LocationId,
                ReceivedAt = now,
                Lines = [.. order.Lines.Select(l => new SkuQuantity { Sku = l.Sku, Quantity = arrivesShort ? Math.Max(0, l.Quantity - random.Next(1, 3)) : l.Quantity })],
            }, cancellationToken);
            counters.Increment(arrivesShort ? "purchase orders received short" : "purchase orders received");
        }
        foreach (var (transferId, (shipped, _)) in _inTransit.Where(t => t.Value.DueAt <= now).ToList())
        {
            _inTransit.TryRemove(transferId, out _);
            await send(ErpMessageTypes.TransferReceived, transferId, new TransferReceived
            {
                TransferId = transferId,
                ToLocationId = shipped.ToLocationId,
                ReceivedAt = now,
                Lines = shipped.Lines,
            }, cancellationToken);
        }
    }
}
