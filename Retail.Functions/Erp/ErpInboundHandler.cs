using Microsoft.Extensions.Options;
using System.Text;
using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Integration;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;
using Retail.Contracts.Schemas;
using Retail.Contracts.Transfers;
using Retail.Functions.Dedupe;
using Retail.Functions.Validation;
using Retail.Functions.Webhooks;
using Retail.Messaging;

namespace Retail.Functions.Erp;

/// <summary>
/// Handles one message of <c>erp-inbound</c>, independent of the host and the transport: checks its envelope (a session
/// id, which orders each subject's messages, and a body within <see cref="ErpInboundOptions.MaxMessageBytes"/>),
/// validates it against its schema, dedupes it on its message id, and applies it to its grain. Invalid input is
/// dead-lettered at once with its reason and raised as an exception record (so a person can fix and re-submit it; a
/// message over the size limit is listed without its body, which is not read); a transient failure is abandoned
/// for redelivery after a pause that doubles with each delivery (<see cref="RedeliveryPause"/>), and dead-lettered the
/// same way once <see cref="MaxDeliveries"/> is reached. The pauses let the deliveries span a silo failure (the
/// cluster declaring the silo dead and the clients dropping its gateway) instead of spending them in seconds.
/// </summary>
internal sealed partial class ErpInboundHandler(
    IGrainFactory grains, DedupeLeases leases, SchemaValidator schemas, TimeProvider time, IOptions<ErpInboundOptions> options,
    ILogger<ErpInboundHandler> logger)
{
    public const string MessageTooLarge = "MessageTooLarge";
    public const string MissingSessionId = "MissingSessionId";

    public const string DedupeSource = "erp";
    public const int MaxDeliveries = 10;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(30);

    /// <summary>How long a transiently failed delivery waits before it is abandoned: 1 s, 2 s, 4 s, ... up to 30 s.</summary>
    public static TimeSpan RedeliveryPause(int deliveryCount) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Clamp(deliveryCount, 1, 16) - 1), LongestPause.TotalSeconds));

    public async Task<MessageOutcome> HandleAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        var message = received.Message;
        var correlationId = Correlation.Sanitize(Property(message, MessageProperties.CorrelationId))
            ?? Correlation.Sanitize(message.CorrelationId)
            ?? message.MessageId;
        using var scope = Correlation.Begin(correlationId, logger);
        var messageType = Property(message, MessageProperties.MessageType) ?? message.Subject;

        var invalid = CheckEnvelope(message) ?? await ValidateAsync(messageType, message.Body);
        if (invalid is not null)
        {
            return await DeadLetterAsync(received, messageType, correlationId, invalid.Value.Reason, invalid.Value.Description, cancellationToken);
        }

        DedupeLease? lease = null;
        try
        {
            lease = await leases.TryBeginAsync(DedupeSource, message.MessageId, Lease);
            var claim = lease.Claim;
            if (!claim.Acquired)
            {
                if (claim.Status == DeliveryStatus.Completed)
                {
                    LogDuplicate(logger, message.MessageId, messageType!);
                    return MessageOutcome.Complete;
                }
                return MessageOutcome.Abandon;
            }
            var outcome = await DispatchAsync(messageType!, message.Body, cancellationToken);
            await lease.CompleteAsync(outcome, orderId: null);
            LogApplied(logger, message.MessageId, messageType!, outcome);
            return MessageOutcome.Complete;
        }
        catch (RetailException exception)
        {
            await ReleaseAsync(lease);
            return await DeadLetterAsync(received, messageType, correlationId, exception.Code, exception.Message, cancellationToken);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or JsonException)
        {
            await ReleaseAsync(lease);
            return await DeadLetterAsync(received, messageType, correlationId, "InvalidMessage", exception.Message, cancellationToken);
        }
        catch (Exception exception)
        {
            // Transient (timeouts, the cluster briefly unavailable) or unforeseen: redeliver, up to the limit.
            await ReleaseAsync(lease);
            if (received.DeliveryCount >= MaxDeliveries)
            {
                return await DeadLetterAsync(received, messageType, correlationId, "MaxDeliveriesExceeded",
                    $"Failed {received.DeliveryCount} times; last: {exception.GetType().Name}: {exception.Message}", cancellationToken);
            }
            return await AbandonAsync(received, exception, cancellationToken);
        }
    }

    /// <summary>Pauses (<see cref="RedeliveryPause"/>), then gives the message back for redelivery.</summary>
    private async Task<MessageOutcome> AbandonAsync(ReceivedMessage received, Exception exception, CancellationToken cancellationToken)
    {
        var pause = RedeliveryPause(received.DeliveryCount);
        LogAbandoned(logger, exception, received.Message.MessageId, received.DeliveryCount, pause);
        await Task.Delay(pause, time, cancellationToken);
        return MessageOutcome.Abandon;
    }

    /// <summary>Null when the message has a session id and a body within the size limit.</summary>
    private (string Reason, string Description)? CheckEnvelope(TransportMessage message)
    {
        var limit = options.Value.MaxMessageBytes;
        if (message.Body.Length > limit)
        {
            return (MessageTooLarge, $"The body is {message.Body.Length} bytes; the limit is {limit} bytes (Bridge:ErpInbound:MaxMessageBytes).");
        }
        if (string.IsNullOrWhiteSpace(message.SessionId))
        {
            return (MissingSessionId,
                "The message has no session id: erp-inbound orders each subject's messages by it (the order id, or the SKU and location of a position).");
        }
        return null;
    }

    /// <summary>Null when the message is a known type whose body satisfies its schema.</summary>
    private async Task<(string Reason, string Description)?> ValidateAsync(string? messageType, ReadOnlyMemory<byte> body)
    {
        if (messageType is null || !ErpMessageTypes.Inbound.Contains(messageType, StringComparer.Ordinal))
        {
            return ("UnknownMessageType", $"MessageType '{messageType}' is not one of {string.Join(", ", ErpMessageTypes.Inbound)}.");
        }
        using var document = JsonInput.TryParse(body, out var error);
        if (document is null)
        {
            return ("InvalidJson", error!);
        }
        var errors = await schemas.ValidateAsync(SchemaCatalog.ForErpMessage(messageType), document.RootElement.GetRawText());
        if (errors.Count > 0)
        {
            return ("SchemaValidationFailed", string.Join("; ", errors.Select(entry => $"{entry.Key}: {string.Join(", ", entry.Value)}")));
        }
        return null;
    }

    private async Task<string> DispatchAsync(string messageType, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        switch (messageType)
        {
            case ErpMessageTypes.InventorySnapshot:
                var snapshot = Read<InventorySnapshot>(body);
                var applied = 0;
                await Parallel.ForEachAsync(snapshot.Items, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (item, _) =>
                {
                    var result = await grains.GetGrain<IInventoryGrain>(InventoryKey.For(item.Sku, snapshot.LocationId)).ApplySnapshotAsync(snapshot.AsOf, item.OnHand);
                    if (result.Applied)
                    {
                        Interlocked.Increment(ref applied);
                    }
                });
                return $"Snapshot of {snapshot.LocationId} as of {snapshot.AsOf:O}: {applied} of {snapshot.Items.Count} position(s) applied.";
            case ErpMessageTypes.InventoryAdjusted:
                var adjustment = Read<InventoryAdjusted>(body);
                var position = await grains.GetGrain<IInventoryGrain>(InventoryKey.For(adjustment.Sku, adjustment.LocationId))
                    .AdjustAsync(adjustment.AdjustmentId, adjustment.Delta, adjustment.Reason);
                return $"Adjustment {adjustment.AdjustmentId}: {adjustment.Sku}@{adjustment.LocationId} on hand {position.OnHand}.";
            case ErpMessageTypes.OrderPostingAccepted:
                var accepted = Read<OrderPostingAccepted>(body);
                await Order(accepted.OrderId).AcceptPostingAsync(accepted);
                return $"Order {accepted.OrderId} accepted as {accepted.ErpOrderNumber}.";
            case ErpMessageTypes.OrderPostingRejected:
                var rejected = Read<OrderPostingRejected>(body);
                await Order(rejected.OrderId).RejectPostingAsync(rejected);
                return $"Order {rejected.OrderId} rejected ({rejected.Code}).";
            case ErpMessageTypes.ShipmentConfirmed:
                var shipment = Read<ShipmentConfirmed>(body);
                await Order(shipment.OrderId).ConfirmShipmentAsync(shipment);
                return $"Shipment {shipment.ShipmentId} of order {shipment.OrderId} confirmed.";
            case ErpMessageTypes.InvoicePosted:
                var invoice = Read<InvoicePosted>(body);
                await Order(invoice.OrderId).PostInvoiceAsync(invoice);
                return $"Invoice {invoice.InvoiceId} of order {invoice.OrderId} posted.";
            case ErpMessageTypes.PurchaseOrderConfirmed:
                var confirmed = Read<PurchaseOrderConfirmed>(body);
                await grains.GetGrain<IPurchaseOrderGrain>(confirmed.PoId).ConfirmAsync(confirmed);
                return $"Purchase order {confirmed.PoId}: {confirmed.Lines.Count} line(s) expected at {confirmed.LocationId}.";
            case ErpMessageTypes.PurchaseOrderReceived:
                var receipt = Read<PurchaseOrderReceived>(body);
                await grains.GetGrain<IPurchaseOrderGrain>(receipt.PoId).ReceiveAsync(receipt);
                return $"Purchase order {receipt.PoId} received at {receipt.LocationId}.";
            case ErpMessageTypes.TransferShipped:
                var shipped = Read<TransferShipped>(body);
                await grains.GetGrain<ITransferGrain>(shipped.TransferId).ShipAsync(shipped);
                return $"Transfer {shipped.TransferId} shipped from {shipped.FromLocationId} to {shipped.ToLocationId}.";
            case ErpMessageTypes.TransferReceived:
                var arrived = Read<TransferReceived>(body);
                await grains.GetGrain<ITransferGrain>(arrived.TransferId).ReceiveAsync(arrived);
                return $"Transfer {arrived.TransferId} received at {arrived.ToLocationId}.";
            default:
                var returned = Read<ReturnReceived>(body);
                await Order(returned.OrderId).ReceiveReturnAsync(returned);
                return $"Return {returned.ReturnId} of order {returned.OrderId} received.";
        }
    }

    private IOrderGrain Order(string orderId) => grains.GetGrain<IOrderGrain>(orderId);

    private static T Read<T>(ReadOnlyMemory<byte> body) =>
        JsonSerializer.Deserialize<T>(body.Span, RetailJson.Options)
            ?? throw new RetailException(ProblemCodes.ValidationFailed, $"The body is not a {typeof(T).Name}.");

    /// <summary>Raises the exception record first: if that fails, the message is abandoned rather than dead-lettered unseen.</summary>
    private async Task<MessageOutcome> DeadLetterAsync(
        ReceivedMessage received, string? messageType, string correlationId, string reason, string description, CancellationToken cancellationToken)
    {
        var message = received.Message;
        try
        {
            await grains.RaiseExceptionAsync(new ExceptionToRaise
            {
                Kind = ExceptionKinds.DeadLetter,
                BusinessKey = message.MessageId,
                Reason = $"{reason}: {description}",
                // A body over the limit is neither kept nor re-sent: a retry could only fail the same way.
                Message = reason == MessageTooLarge ? null : new DeadLetteredMessage
                {
                    Entity = received.Entity,
                    MessageId = message.MessageId,
                    SessionId = message.SessionId,
                    MessageType = messageType,
                    Body = Encoding.UTF8.GetString(message.Body.Span),
                    CorrelationId = correlationId,
                    Description = description,
                },
            });
        }
        catch (Exception exception) when (TransientFailures.IsTransient(exception))
        {
            return await AbandonAsync(received, exception, cancellationToken);
        }
        LogDeadLettered(logger, message.MessageId, messageType, reason, description);
        BridgeMetrics.DeadLettered(received.Entity, reason);
        return MessageOutcome.DeadLetter(reason, description);
    }

    private static Task ReleaseAsync(DedupeLease? lease) => lease?.ReleaseAsync() ?? Task.CompletedTask;

    private static string? Property(TransportMessage message, string name) =>
        message.ApplicationProperties.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "ERP message {MessageId} ({MessageType}) applied: {Outcome}")]
    private static partial void LogApplied(ILogger logger, string messageId, string messageType, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "ERP message {MessageId} ({MessageType}) is a duplicate")]
    private static partial void LogDuplicate(ILogger logger, string messageId, string messageType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ERP message {MessageId} failed at delivery {DeliveryCount}; abandoned for redelivery after {Pause}")]
    private static partial void LogAbandoned(ILogger logger, Exception exception, string messageId, int deliveryCount, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ERP message {MessageId} ({MessageType}) dead-lettered: {Reason}: {Description}")]
    private static partial void LogDeadLettered(ILogger logger, string messageId, string? messageType, string reason, string description);
}
