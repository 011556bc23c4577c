using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Messaging;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>
/// What the ERP and an event subscriber see: the postings Retail sends on <c>erp-outbound</c> and the events on
/// <c>retail-events</c>, in the order they arrive.
/// </summary>
internal sealed class RetailTraffic : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SalesOrderPosted> _postings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<RetailEvent>> _events = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _traceParents = new(StringComparer.Ordinal);
    private readonly List<IAsyncDisposable> _processors = [];

    public static async Task<RetailTraffic> StartAsync(IMessageProcessorFactory processors)
    {
        var traffic = new RetailTraffic();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        traffic._processors.Add(await processors.StartAsync(Entities.ErpOutbound, traffic.OnErpMessageAsync, new ProcessorOptions { MaxConcurrency = 16 }, timeout.Token));
        traffic._processors.Add(await processors.StartAsync(Entities.RetailEvents, traffic.OnEventAsync, new ProcessorOptions { MaxConcurrency = 16 }, timeout.Token));
        return traffic;
    }

    private Task<MessageOutcome> OnErpMessageAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        var type = received.Message.ApplicationProperties.GetValueOrDefault(MessageProperties.MessageType);
        if (type == ErpMessageTypes.SalesOrderPosted)
        {
            var posting = JsonSerializer.Deserialize<SalesOrderPosted>(received.Message.Body.Span, RetailJson.Options)!;
            _postings.TryAdd(posting.Order.OrderId ?? "", posting);
        }
        return Task.FromResult(MessageOutcome.Complete);
    }

    private Task<MessageOutcome> OnEventAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        var retailEvent = RetailEvent.Parse(Encoding.UTF8.GetString(received.Message.Body.Span));
        _events.GetOrAdd(retailEvent.Subject, _ => new ConcurrentQueue<RetailEvent>()).Enqueue(retailEvent);
        if (received.Message.ApplicationProperties.GetValueOrDefault(MessageProperties.TraceParent) is { } traceParent)
        {
            _traceParents[retailEvent.Id] = traceParent;
        }
        return Task.FromResult(MessageOutcome.Complete);
    }

    /// <summary>The order's SalesOrderPosted, once it has arrived on erp-outbound.</summary>
    public async Task<SalesOrderPosted> WaitForPostingAsync(string orderId, TimeSpan timeout, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_postings.TryGetValue(orderId, out var posting))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No SalesOrderPosted for {orderId} on erp-outbound within {timeout}.\n{diagnostics()}");
            }
            await Task.Delay(250);
        }
        return _postings[orderId];
    }

    /// <summary>The subject's events in arrival order, once one of type <paramref name="lastType"/> has arrived.</summary>
    public async Task<IReadOnlyList<RetailEvent>> WaitForEventsAsync(string subject, string lastType, TimeSpan timeout, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var events = _events.TryGetValue(subject, out var queue) ? queue.ToArray() : [];
            if (events.Any(retailEvent => retailEvent.Type == lastType))
            {
                return events;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {lastType} event for {subject} on retail-events within {timeout}; seen: "
                    + string.Join(", ", events.Select(retailEvent => $"{retailEvent.Type}#{retailEvent.Sequence}")) + $"\n{diagnostics()}");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>The traceparent the event carried in its message properties, if any.</summary>
    public string? TraceParentOf(RetailEvent retailEvent) => _traceParents.GetValueOrDefault(retailEvent.Id);

    public async ValueTask DisposeAsync()
    {
        foreach (var processor in _processors)
        {
            await processor.DisposeAsync();
        }
    }
}
