using System.Collections.Concurrent;
using System.Text.Json;
using Retail.Tools.Erp;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Orders;
using Retail.Messaging;

namespace Retail.Tools.Simulation;

/// <summary>
/// A stand-in ERP: takes Retail's postings from <c>erp-outbound</c> and answers on <c>erp-inbound</c> the way an ERP
/// does: accepts postings (and now and then rejects one), ships (sometimes in two parcels), invoices what shipped
/// and receives authorised returns; its supply side (<see cref="Supply"/>) sends purchase orders and carries out transfers.
/// </summary>
internal sealed class ErpSimulator
{
    private readonly ConcurrentDictionary<string, SalesOrderPosted> _postings = new(StringComparer.Ordinal);
    private readonly IMessagePublisher publisher;
    private readonly IMessageProcessorFactory processors;
    private readonly SimulationCounters counters;
    private readonly Random random;

    public ErpSimulator(IMessagePublisher publisher, IMessageProcessorFactory processors, SimulationCounters counters, Random random)
    {
        this.publisher = publisher;
        this.processors = processors;
        this.counters = counters;
        this.random = random;
        Supply = new ErpSupply((type, sessionId, body, cancellationToken) => SendAsync(type, sessionId, body, null, cancellationToken), counters, random);
    }

    /// <summary>Purchase orders and transfers.</summary>
    public ErpSupply Supply { get; }

    public Task<IAsyncDisposable> StartAsync(CancellationToken cancellationToken) =>
        processors.StartAsync(Entities.ErpOutbound, HandleAsync, new ProcessorOptions { Sessions = true, MaxConcurrency = 16 }, cancellationToken);

    private async Task<MessageOutcome> HandleAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        var type = received.Message.ApplicationProperties.GetValueOrDefault(MessageProperties.MessageType) ?? received.Message.Subject;
        var body = received.Message.Body.ToArray();
        switch (type)
        {
            case ErpMessageTypes.SalesOrderPosted:
                var posting = JsonSerializer.Deserialize<SalesOrderPosted>(body, RetailJson.Options)!;
                await AnswerPostingAsync(posting, received.Message.CorrelationId, cancellationToken);
                break;
            case ErpMessageTypes.TransferRequested:
                var transfer = JsonSerializer.Deserialize<TransferRequested>(body, RetailJson.Options)!;
                await Supply.ShipAsync(transfer, cancellationToken);
                break;
            case ErpMessageTypes.ReturnAuthorized:
                var authorized = JsonSerializer.Deserialize<ReturnAuthorized>(body, RetailJson.Options)!;
                await ReceiveReturnAsync(authorized, received.Message.CorrelationId, cancellationToken);
                break;
            default:
                counters.Increment($"erp saw {type}");
                break;
        }
        return MessageOutcome.Complete;
    }

    private async Task AnswerPostingAsync(SalesOrderPosted posting, string? correlationId, CancellationToken cancellationToken)
    {
        var orderId = posting.Order.OrderId ?? "";
        if (random.NextDouble() < 0.05)
        {
            await SendAsync(ErpMessageTypes.OrderPostingRejected, orderId,
                new OrderPostingRejected { OrderId = orderId, Code = "CREDIT-HOLD", Reason = "Customer account on credit hold." }, correlationId, cancellationToken);
            return;
        }
        _postings[orderId] = posting;
        await SendAsync(ErpMessageTypes.OrderPostingAccepted, orderId,
            new OrderPostingAccepted { OrderId = orderId, ErpOrderNumber = $"SO-{random.Next(100000, 999999)}" }, correlationId, cancellationToken);

        var parcels = SplitIntoParcels(posting);
        var shipmentNumber = 0;
        foreach (var (locationId, lines) in parcels)
        {
            shipmentNumber++;
            var shipmentId = $"{orderId}-S{shipmentNumber}";
            await SendAsync(ErpMessageTypes.ShipmentConfirmed, orderId, new ShipmentConfirmed
            {
                OrderId = orderId,
                ShipmentId = shipmentId,
                LocationId = locationId,
                ShippedAt = DateTimeOffset.UtcNow,
                Carrier = "UPS",
                TrackingNumber = $"1Z{random.NextInt64(10_000_000_000, 99_999_999_999)}",
                Lines = lines,
            }, correlationId, cancellationToken);

            var prices = posting.Order.Lines.ToDictionary(line => line.LineId, StringComparer.Ordinal);
            var invoiceLines = lines.Select(line => new InvoiceLine
            {
                LineId = line.LineId,
                Quantity = line.Quantity,
                Amount = prices.TryGetValue(line.LineId, out var orderLine) ? orderLine.UnitPrice * line.Quantity : 0,
            }).ToList();
            await SendAsync(ErpMessageTypes.InvoicePosted, orderId, new InvoicePosted
            {
                OrderId = orderId,
                InvoiceId = $"{orderId}-I{shipmentNumber}",
                PostedAt = DateTimeOffset.UtcNow,
                Lines = invoiceLines,
                Total = invoiceLines.Sum(line => line.Amount),
            }, correlationId, cancellationToken);
        }
    }

    /// <summary>One parcel per allocated location; now and then a location ships its lines in two parcels.</summary>
    private List<(string LocationId, IReadOnlyList<LineQuantity> Lines)> SplitIntoParcels(SalesOrderPosted posting)
    {
        var byLocation = posting.Allocations
            .SelectMany(line => line.Locations.Select(location => (location.LocationId, Line: new LineQuantity { LineId = line.LineId, Quantity = location.Quantity })))
            .GroupBy(item => item.LocationId, StringComparer.Ordinal);
        var parcels = new List<(string, IReadOnlyList<LineQuantity>)>();
        foreach (var group in byLocation)
        {
            var lines = group.Select(item => item.Line).ToList();
            var splittable = lines.Sum(line => line.Quantity) > 1;
            if (splittable && random.NextDouble() < 0.3)
            {
                var first = lines.Select(line => line with { Quantity = line.Quantity / 2 }).Where(line => line.Quantity > 0).ToList();
                var second = lines.Select(line => line with { Quantity = line.Quantity - line.Quantity / 2 }).Where(line => line.Quantity > 0).ToList();
                parcels.Add((group.Key, first));
                parcels.Add((group.Key, second));
                counters.Increment("partial shipments");
            }
            else
            {
                parcels.Add((group.Key, lines));
            }
        }
        return parcels;
    }

    private async Task ReceiveReturnAsync(ReturnAuthorized authorized, string? correlationId, CancellationToken cancellationToken)
    {
        var locationId = _postings.TryGetValue(authorized.OrderId, out var posting)
            ? posting.Allocations.SelectMany(line => line.Locations).Select(location => location.LocationId).FirstOrDefault() ?? "WH-EAST"
            : "WH-EAST";
        await SendAsync(ErpMessageTypes.ReturnReceived, authorized.OrderId, new ReturnReceived
        {
            OrderId = authorized.OrderId,
            ReturnId = authorized.ReturnId,
            LocationId = locationId,
            ReceivedAt = DateTimeOffset.UtcNow,
            Lines = authorized.Lines.Select(line => new ReturnedLine { LineId = line.LineId, Quantity = line.Quantity, Resellable = random.NextDouble() < 0.8 }).ToList(),
        }, correlationId, cancellationToken);
    }

    /// <summary>An ERP count that differs a little from what Retail expects, as real counts do.</summary>
    public async Task SendSnapshotAsync(string locationId, IReadOnlyList<SnapshotItem> items, CancellationToken cancellationToken) =>
        await SendAsync(ErpMessageTypes.InventorySnapshot, locationId,
            new InventorySnapshot { LocationId = locationId, AsOf = DateTimeOffset.UtcNow, Items = items }, null, cancellationToken);

    private async Task SendAsync(string type, string sessionId, object body, string? correlationId, CancellationToken cancellationToken)
    {
        await publisher.PublishAsync(Entities.ErpInbound, ErpMessageFactory.Create(type, sessionId, body, correlationId), cancellationToken);
        counters.Increment($"erp sent {type}");
    }
}
