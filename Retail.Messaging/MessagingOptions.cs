using Retail.Contracts.Erp;

namespace Retail.Messaging;

/// <summary>Which transport carries ERP messages and events (<c>Messaging:Transport</c>).</summary>
public enum MessagingTransport
{
    /// <summary>Queues in this process (embedded mode, fast tests).</summary>
    InMemory,
    /// <summary>RabbitMQ over AMQP 0-9-1 with RabbitMQ.Client (local runs, integration tests).</summary>
    RabbitMq,
    /// <summary>Azure Service Bus for the queues and Azure Event Hubs for the event stream, through the Azure SDKs.</summary>
    Azure,
}

/// <summary>The <c>Messaging</c> configuration section.</summary>
public sealed class MessagingOptions
{
    public MessagingTransport Transport { get; set; } = MessagingTransport.InMemory;

    /// <summary>How long a publish keeps retrying through connection loss before it fails.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait between two publish attempts (the backoff doubles up to it).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>RabbitMQ (<c>ConnectionStrings:messaging</c>, <c>Messaging:RabbitMq</c>).</summary>
public sealed class RabbitMqOptions
{
    /// <summary>Deliveries before a message is dead-lettered with <see cref="DeadLetter.MaxDeliveryCountExceeded"/>.</summary>
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>
    /// Queues per entity. A message goes to the partition its session id hashes to; each partition has one active
    /// consumer that handles its messages one at a time, so this is how many sessions are handled at once.
    /// Every publisher and consumer of an entity must use the same value.
    /// </summary>
    public int Partitions { get; set; } = 8;

    /// <summary>Entities declared at start-up; any other entity is declared when first used.</summary>
    public IList<string> Entities { get; } = [Contracts.Erp.Entities.ErpInbound, Contracts.Erp.Entities.ErpOutbound, Contracts.Erp.Entities.RetailEvents];
}

/// <summary>Azure Service Bus (<c>Messaging:ServiceBus</c>).</summary>
public sealed class ServiceBusOptions
{
    /// <summary><c>&lt;namespace&gt;.servicebus.windows.net</c>, authorized with the app's Entra identity.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Instead of <see cref="FullyQualifiedNamespace"/>: a connection string with a shared access key.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long the SDK keeps renewing the lock of a message (and its session) while its handler runs.</summary>
    public TimeSpan MaxAutoLockRenewalDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A session with no message for this long is let go, and the processor accepts the next one.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Azure Event Hubs, the event stream (<c>Messaging:EventHubs</c>).</summary>
public sealed class EventHubsOptions
{
    /// <summary><c>&lt;namespace&gt;.servicebus.windows.net</c> of the Event Hubs namespace, authorized with the app's Entra identity.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>Instead of <see cref="FullyQualifiedNamespace"/>: a connection string with a shared access key.</summary>
    public string? ConnectionString { get; set; }

    public string EventHubName { get; set; } = Entities.RetailEvents;
}
