using Retail.Contracts.Erp;

namespace Retail.Messaging;

/// <summary>Which transport carries ERP messages and events (<c>Messaging:Transport</c>).</summary>
public enum MessagingTransport
{
    /// <summary>Queues in this process (embedded mode, fast tests).</summary>
    InMemory,
    /// <summary>RabbitMQ 3.10+ with its AMQP 1.0 plugin (local runs, integration tests).</summary>
    RabbitMq,
    /// <summary>Azure Service Bus for the queues and Azure Event Hubs for the event stream.</summary>
    Azure,
}

/// <summary>The <c>Messaging</c> configuration section.</summary>
public sealed class MessagingOptions
{
    public MessagingTransport Transport { get; set; } = MessagingTransport.InMemory;

    /// <summary>How long a publish keeps retrying through connection loss before it fails.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait between two reconnect attempts (the backoff doubles up to it).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Azure Service Bus (<c>Messaging:ServiceBus</c>).</summary>
public sealed class ServiceBusOptions
{
    /// <summary><c>&lt;namespace&gt;.servicebus.windows.net</c>.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>With <see cref="SasKey"/>: authorize with a SAS token instead of an Entra token.</summary>
    public string? SasKeyName { get; set; }

    public string? SasKey { get; set; }

    /// <summary>5671 (AMQP over TLS) in Azure; tests point this at a local listener.</summary>
    public int Port { get; set; } = 5671;

    public bool UseTls { get; set; } = true;

    /// <summary>How often a running handler's message (or session) lock is renewed; below the entity's lock duration.</summary>
    public TimeSpan LockRenewalInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A session receiver with no message for this long lets its session go and accepts the next one.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The entities' max delivery count (Service Bus's default is 10).</summary>
    public int MaxDeliveryCount { get; set; } = 10;
}

/// <summary>Azure Event Hubs, the event stream (<c>Messaging:EventHubs</c>).</summary>
public sealed class EventHubsOptions
{
    public string? FullyQualifiedNamespace { get; set; }

    public string EventHubName { get; set; } = Entities.RetailEvents;

    public string? SasKeyName { get; set; }

    public string? SasKey { get; set; }

    public int Port { get; set; } = 5671;

    public bool UseTls { get; set; } = true;
}

/// <summary>RabbitMQ with the AMQP 1.0 plugin (<c>ConnectionStrings:retail-broker</c>, <c>Messaging:RabbitMq</c>).</summary>
public sealed class RabbitMqOptions
{
    /// <summary><c>amqp://user:pass@host:port</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The management HTTP API, e.g. <c>http://127.0.0.1:15672</c>; default: the broker's host on port 15672.</summary>
    public Uri? ManagementUri { get; set; }

    /// <summary>The queues' <c>x-delivery-limit</c>: deliveries before the broker dead-letters a message.</summary>
    public int MaxDeliveryCount { get; set; } = 10;

    /// <summary>Queues declared at start-up (quorum, delivery limit, dead-letter queue, single active consumer).</summary>
    public IList<string> Queues { get; } = [Entities.ErpInbound, Entities.ErpOutbound];

    /// <summary>Event streams declared at start-up: a fanout exchange per stream, bound to a queue of the same name.</summary>
    public IList<string> EventStreams { get; } = [Entities.RetailEvents];
}
