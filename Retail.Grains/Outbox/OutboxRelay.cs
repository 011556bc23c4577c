using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Inventory;
using Retail.Contracts.Orders;
using Retail.Grains.Telemetry;
using Retail.Messaging;

namespace Retail.Grains.Outbox;

/// <summary>
/// Delivers outbox effects to their destinations, one silo-wide gate per destination: its rate limit
/// (<see cref="DestinationOptions.MessagesPerSecond"/>) and, while it fails, a backoff during which a single attempt
/// probes it and every other delivery to it waits. A delivery is retried until it succeeds or its grain stops waiting
/// (deactivation): it never fails a request, because no request waits for it. The backlog per destination (effects
/// durable in some outbox of this silo and not yet delivered) is the metric <c>retail.outbox.backlog</c>.
/// </summary>
public sealed partial class OutboxRelay(
    IMessagePublisher publisher, IGrainFactory grains, IOptions<OutboxRelayOptions> options, TimeProvider time, ILogger<OutboxRelay> logger) : IDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<string, Destination> _destinations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _backlog = new(StringComparer.Ordinal);

    /// <summary>Undelivered effects per destination, held by the outboxes active in this silo.</summary>
    public IReadOnlyDictionary<string, long> Backlog => _backlog.Where(b => b.Value != 0).ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal);

    /// <summary>Whether the destination's last attempt failed (it is backing off).</summary>
    public bool IsFailing(string destination) => _destinations.TryGetValue(destination, out var gate) && gate.Failures > 0;

    public void BacklogChanged(string destination, int delta)
    {
        if (delta == 0)
        {
            return;
        }
        _backlog.AddOrUpdate(destination, delta, (_, current) => current + delta);
        RetailMetrics.OutboxBacklogChanged(destination, delta);
    }

    /// <summary>Delivers <paramref name="message"/>, retrying with the destination's backoff until it is accepted.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public async Task DeliverAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var gate = _destinations.GetOrAdd(message.Entity, name => new Destination(name, options.Value, time));
        var settings = options.Value;
        while (true)
        {
            using var turn = await gate.WaitTurnAsync(cancellationToken);
            using var activity = OutboxTelemetry.StartDelivery(message);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(settings.AttemptTimeout);
            try
            {
                // The attempt's own token stops a publish that outlives it, so no stray retry sends the effect again.
                await SendAsync(message, attempt.Token).WaitAsync(settings.AttemptTimeout, time, cancellationToken);
                gate.Succeeded();
                return;
            }
            catch (RetailException refusal)
            {
                // The destination is up and refused this effect for good (e.g. an order that does not hold the
                // reservation any more): retrying cannot change that.
                gate.Succeeded();
                LogRefused(logger, message.MessageId, message.Entity, refusal.Code, refusal.Message);
                return;
            }
            catch (Exception exception) when (exception is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
            {
                var pause = gate.Failed(FirstBackoff, settings.MaxBackoff);
                LogDeliveryFailed(logger, exception, message.MessageId, message.Entity, pause);
            }
        }
    }

    private Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        switch (message.Entity)
        {
            case OutboxDestinations.Exceptions:
                var effect = JsonSerializer.Deserialize<ExceptionEffect>(message.Body, RetailJson.Options)!;
                return effect.Raise is { } raise
                    ? grains.RaiseExceptionAsync(raise)
                    : grains.ResolveExceptionAsync(effect.ResolveKind!, effect.ResolveBusinessKey!, effect.Resolution ?? "Resolved.");
            case OutboxDestinations.ReleasedReservations:
                var released = JsonSerializer.Deserialize<ReservationsReleased>(message.Body, RetailJson.Options)!;
                return grains.GetGrain<IOrderGrain>(message.SessionId!).OnReservationsReleasedAsync(released);
            case OutboxDestinations.PromisesChanged:
                var promises = JsonSerializer.Deserialize<PromisesChanged>(message.Body, RetailJson.Options)!;
                return grains.GetGrain<IOrderGrain>(message.SessionId!).OnPromisesChangedAsync(promises with { NoticeId = message.MessageId });
            case OutboxDestinations.OrderDirectory:
                var summary = JsonSerializer.Deserialize<OrderSummary>(message.Body, RetailJson.Options)!;
                return grains.GetGrain<IOrderDirectoryGrain>(IOrderDirectoryGrain.Key).RecordAsync(summary);
            default:
                return publisher.PublishAsync(message.Entity, ToTransportMessage(message), cancellationToken);
        }
    }

    private static TransportMessage ToTransportMessage(OutboxMessage message)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal) { [MessageProperties.MessageType] = message.Type };
        if (message.CorrelationId is not null)
        {
            properties[MessageProperties.CorrelationId] = message.CorrelationId;
        }
        if (message.TraceParent is not null)
        {
            properties[MessageProperties.TraceParent] = message.TraceParent;
        }
        return new TransportMessage
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            SessionId = message.SessionId,
            Subject = message.Type,
            ContentType = message.Entity == Entities.RetailEvents ? "application/cloudevents+json" : "application/json",
            ApplicationProperties = properties,
            Body = Encoding.UTF8.GetBytes(message.Body),
        };
    }

    public void Dispose()
    {
        foreach (var gate in _destinations.Values)
        {
            gate.Dispose();
        }
    }

    /// <summary>One destination's rate limit and backoff, shared by every outbox of the silo.</summary>
    private sealed class Destination : IDisposable
    {
        private readonly TimeProvider _time;
        private readonly RateLimiter? _limiter;
        private readonly SemaphoreSlim _probe = new(1, 1);
        private readonly Lock _lock = new();
        private DateTimeOffset _retryAt;

        public Destination(string name, OutboxRelayOptions options, TimeProvider time)
        {
            _time = time;
            if (options.Destinations.TryGetValue(name, out var limits) && limits.MessagesPerSecond is > 0 and var rate)
            {
                // Ten refills a second, or one per message below ten a second; no burst beyond one refill.
                var perRefill = Math.Max(1, (int)Math.Round(rate / 10));
                var period = TimeSpan.FromSeconds(perRefill / rate);
                _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perRefill,
                    TokensPerPeriod = perRefill,
                    ReplenishmentPeriod = period,
                    QueueLimit = int.MaxValue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    AutoReplenishment = true,
                });
            }
        }

        public int Failures { get; private set; }

        /// <summary>Waits for the rate limit, and while the destination fails, for the single probe's turn and its backoff.</summary>
        public async Task<Turn> WaitTurnAsync(CancellationToken cancellationToken)
        {
            if (_limiter is not null)
            {
                using var lease = await _limiter.AcquireAsync(1, cancellationToken);
            }
            if (Failures == 0)
            {
                return new Turn(null);
            }
            await _probe.WaitAsync(cancellationToken);
            try
            {
                var wait = _retryAt - _time.GetUtcNow();
                if (Failures > 0 && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken);
                }
            }
            catch
            {
                _probe.Release();
                throw;
            }
            return new Turn(_probe);
        }

        public void Succeeded()
        {
            lock (_lock)
            {
                Failures = 0;
            }
        }

        public TimeSpan Failed(TimeSpan first, TimeSpan longest)
        {
            lock (_lock)
            {
                Failures++;
                var pause = TimeSpan.FromMilliseconds(Math.Min(longest.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, Math.Min(Failures - 1, 16))));
                _retryAt = _time.GetUtcNow() + pause;
                return pause;
            }
        }

        public void Dispose()
        {
            _limiter?.Dispose();
            _probe.Dispose();
        }
    }

    private readonly struct Turn(SemaphoreSlim? probe) : IDisposable
    {
        public void Dispose() => probe?.Release();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {MessageId} to {Destination} failed; the destination backs off for {Pause}")]
    private static partial void LogDeliveryFailed(ILogger logger, Exception exception, string messageId, string destination, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Destination} refused {MessageId} ({Code}): {Reason}; not retried")]
    private static partial void LogRefused(ILogger logger, string messageId, string destination, string code, string reason);
}
