using System.Collections.Concurrent;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Azure.Messaging.ServiceBus;
using Retail.Messaging.Diagnostics;

namespace Retail.Messaging.Azure;

/// <summary>
/// Sends the event stream with an <see cref="EventHubProducerClient"/> (partition key = the session id, so each
/// subject stays in order on one partition) and everything else with a <see cref="ServiceBusSender"/> per entity
/// (SessionId = the session id). A send completes when the service accepted the message; the SDKs retry transient
/// failures, and after <see cref="MessagingOptions.PublishTimeout"/> it throws <see cref="MessagePublishException"/>.
/// </summary>
internal sealed class AzurePublisher(AzureClients clients, MessagingOptions options) : IMessagePublisher, IAsyncDisposable
{
    internal const string ServiceBusSystem = "servicebus";
    internal const string EventHubsSystem = "eventhubs";
    private readonly ConcurrentDictionary<string, ServiceBusSender> senders = new(StringComparer.OrdinalIgnoreCase);

    public async Task PublishAsync(string entity, TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.MessageId, nameof(message));
        if (DeadLetter.IsDeadLetterQueue(entity, out _))
        {
            throw new ArgumentException($"Messages cannot be published to the dead-letter queue '{entity}'.", nameof(entity));
        }

        var toEventHub = clients.IsEventHub(entity);
        var (activity, traced) = MessagingDiagnostics.StartPublish(entity, toEventHub ? EventHubsSystem : ServiceBusSystem, message);
        using (activity)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(options.PublishTimeout);
            try
            {
                if (toEventHub)
                {
                    await clients.EventHubProducer!.SendAsync([ToEventData(traced)], new SendEventOptions { PartitionKey = traced.OrderingKey }, timeout.Token);
                }
                else
                {
                    await senders.GetOrAdd(entity, clients.ServiceBus.CreateSender).SendMessageAsync(ToServiceBusMessage(traced), timeout.Token);
                }

                clients.Health.Succeeded();
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && exception is not ArgumentException)
            {
                clients.Health.Failed(exception);
                throw new MessagePublishException($"Message {message.MessageId} to '{entity}' was not accepted: {exception.Message}", exception);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sender in senders.Values)
        {
            await sender.DisposeAsync();
        }
    }

    private static ServiceBusMessage ToServiceBusMessage(TransportMessage message)
    {
        var sent = new ServiceBusMessage(message.Body)
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            SessionId = message.SessionId,
            Subject = message.Subject,
            ContentType = message.ContentType,
        };
        foreach (var (name, value) in message.ApplicationProperties)
        {
            sent.ApplicationProperties[name] = value;
        }

        return sent;
    }

    private static EventData ToEventData(TransportMessage message)
    {
        var data = new EventData(message.Body)
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            ContentType = message.ContentType,
        };
        data.GetRawAmqpMessage().Properties.Subject = message.Subject;
        foreach (var (name, value) in message.ApplicationProperties)
        {
            data.Properties[name] = value;
        }

        return data;
    }
}
