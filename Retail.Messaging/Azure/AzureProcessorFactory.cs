using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging;

namespace Retail.Messaging.Azure;

/// <summary>
/// Processes Service Bus queues and subscriptions (<c>&lt;topic&gt;/Subscriptions/&lt;name&gt;</c>) and their dead-letter
/// queues (<see cref="DeadLetter.QueueOf"/>). The event hub is read by its consumers with their own consumer groups, not by Retail.
/// </summary>
internal sealed class AzureProcessorFactory(AzureClients clients, ServiceBusOptions serviceBus, ILoggerFactory loggers) : IMessageProcessorFactory
{
    private const string SubscriptionsSegment = "/Subscriptions/";

    public async Task<IAsyncDisposable> StartAsync(string entity, MessageHandler handler, ProcessorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        if (clients.IsEventHub(entity))
        {
            throw new NotSupportedException(
                $"'{entity}' is an event hub: Retail publishes to it and other systems read it with their own consumer group. "
                + "Read Service Bus queues or subscriptions (<topic>/Subscriptions/<name>) here.");
        }

        var deadLetters = DeadLetter.IsDeadLetterQueue(entity, out var parent);
        var split = parent.IndexOf(SubscriptionsSegment, StringComparison.OrdinalIgnoreCase);
        var (topicOrQueue, subscription) = split < 0 ? (parent, null) : (parent[..split], parent[(split + SubscriptionsSegment.Length)..]);
        var processor = new AzureProcessor(entity, handler, options, clients.Health, loggers.CreateLogger<AzureProcessor>());
        if (options.Sessions && !deadLetters)
        {
            var sessionOptions = new ServiceBusSessionProcessorOptions
            {
                AutoCompleteMessages = false,
                MaxConcurrentSessions = options.MaxConcurrency,
                MaxConcurrentCallsPerSession = 1,
                MaxAutoLockRenewalDuration = serviceBus.MaxAutoLockRenewalDuration,
                SessionIdleTimeout = serviceBus.SessionIdleTimeout,
                ReceiveMode = ServiceBusReceiveMode.PeekLock,
            };
            await processor.StartAsync(subscription is null
                ? clients.ServiceBus.CreateSessionProcessor(topicOrQueue, sessionOptions)
                : clients.ServiceBus.CreateSessionProcessor(topicOrQueue, subscription, sessionOptions), cancellationToken);
        }
        else
        {
            var plainOptions = new ServiceBusProcessorOptions
            {
                AutoCompleteMessages = false,
                MaxConcurrentCalls = options.MaxConcurrency,
                MaxAutoLockRenewalDuration = serviceBus.MaxAutoLockRenewalDuration,
                ReceiveMode = ServiceBusReceiveMode.PeekLock,
                SubQueue = deadLetters ? SubQueue.DeadLetter : SubQueue.None,
            };
            await processor.StartAsync(subscription is null
                ? clients.ServiceBus.CreateProcessor(topicOrQueue, plainOptions)
                : clients.ServiceBus.CreateProcessor(topicOrQueue, subscription, plainOptions), cancellationToken);
        }

        return processor;
    }
}
