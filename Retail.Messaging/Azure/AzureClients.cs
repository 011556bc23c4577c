using Azure.Core;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Azure.Messaging.ServiceBus;

namespace Retail.Messaging.Azure;

/// <summary>
/// The process's <see cref="ServiceBusClient"/> and, when an Event Hubs namespace is configured, its
/// <see cref="EventHubProducerClient"/>: from a connection string, or from the fully qualified namespace and the
/// registered <see cref="TokenCredential"/> (the app's managed identity in Azure).
/// </summary>
internal sealed class AzureClients : IAsyncDisposable
{
    public AzureClients(ServiceBusOptions serviceBus, EventHubsOptions eventHubs, MessagingOptions messaging, Func<TokenCredential> credential)
    {
        var retry = new ServiceBusRetryOptions
        {
            Mode = ServiceBusRetryMode.Exponential,
            MaxRetries = 10,
            MaxDelay = messaging.MaxReconnectDelay,
            TryTimeout = TimeSpan.FromSeconds(30),
        };
        var serviceBusOptions = new ServiceBusClientOptions { RetryOptions = retry };
        ServiceBus = !string.IsNullOrWhiteSpace(serviceBus.ConnectionString)
            ? new ServiceBusClient(serviceBus.ConnectionString, serviceBusOptions)
            : !string.IsNullOrWhiteSpace(serviceBus.FullyQualifiedNamespace)
                ? new ServiceBusClient(serviceBus.FullyQualifiedNamespace, credential(), serviceBusOptions)
                : throw new InvalidOperationException(
                    "Messaging:Transport is Azure but neither Messaging:ServiceBus:FullyQualifiedNamespace nor Messaging:ServiceBus:ConnectionString is set.");
        EventHubName = eventHubs.EventHubName;
        var producerOptions = new EventHubProducerClientOptions
        {
            RetryOptions = new EventHubsRetryOptions
            {
                Mode = EventHubsRetryMode.Exponential,
                MaximumRetries = 10,
                MaximumDelay = messaging.MaxReconnectDelay,
                TryTimeout = TimeSpan.FromSeconds(30),
            },
        };
        EventHubProducer = !string.IsNullOrWhiteSpace(eventHubs.ConnectionString)
            ? new EventHubProducerClient(eventHubs.ConnectionString, eventHubs.EventHubName, producerOptions)
            : !string.IsNullOrWhiteSpace(eventHubs.FullyQualifiedNamespace)
                ? new EventHubProducerClient(eventHubs.FullyQualifiedNamespace, eventHubs.EventHubName, credential(), producerOptions)
                : null;
    }

    public ServiceBusClient ServiceBus { get; }

    /// <summary>Null without an Event Hubs namespace: the event stream is then a Service Bus topic of the same name.</summary>
    public EventHubProducerClient? EventHubProducer { get; }

    public string EventHubName { get; }

    public AzureHealth Health { get; } = new();

    public bool IsEventHub(string entity) =>
        EventHubProducer is not null && string.Equals(entity, EventHubName, StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await ServiceBus.DisposeAsync();
        if (EventHubProducer is not null)
        {
            await EventHubProducer.DisposeAsync();
        }
    }
}
