using Retail.Messaging.Amqp;

namespace Retail.Messaging.ServiceBus;

/// <summary>Publishes the event stream to Event Hubs and everything else (the ERP queues) to Service Bus.</summary>
internal sealed class AzureMessagePublisher(AmqpMessagePublisher serviceBus, AmqpMessagePublisher? eventHubs, string eventHubName) : IMessagePublisher
{
    public Task PublishAsync(string entity, TransportMessage message, CancellationToken cancellationToken = default) =>
        eventHubs is not null && string.Equals(entity, eventHubName, StringComparison.OrdinalIgnoreCase)
            ? eventHubs.PublishAsync(entity, message, cancellationToken)
            : serviceBus.PublishAsync(entity, message, cancellationToken);
}

/// <summary>Processes Service Bus queues and subscriptions; the event hub is read by its consumers, not by Retail.</summary>
internal sealed class AzureMessageProcessorFactory(AmqpMessageProcessorFactory serviceBus, bool hasEventHubs, string eventHubName) : IMessageProcessorFactory
{
    public Task<IAsyncDisposable> StartAsync(string entity, MessageHandler handler, ProcessorOptions options, CancellationToken cancellationToken = default) =>
        hasEventHubs && string.Equals(entity, eventHubName, StringComparison.OrdinalIgnoreCase)
            ? throw new NotSupportedException(
                $"'{entity}' is an event hub: Retail publishes to it and other systems read it with their own consumer group. "
                + "Read Service Bus queues or subscriptions (<topic>/Subscriptions/<name>) here.")
            : serviceBus.StartAsync(entity, handler, options, cancellationToken);
}
