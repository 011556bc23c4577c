using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Amqp;
using Amqp.Framing;
using Amqp.Handler;
using Amqp.Listener;
using Amqp.Types;
using RequestContext = Amqp.Listener.RequestContext;

namespace Retail.Messaging.Tests.ServiceBus;

/// <summary>
/// Plays Service Bus's side of AMQP 1.0 on loopback (plain AMQP, SASL ANONYMOUS): answers $cbs put-token and
/// &lt;entity&gt;/$management requests, grants a session to session receivers by echoing the session filter, delivers
/// queued messages with a lock token as their 16-byte delivery tag, records what clients send and how they settle,
/// and redelivers a modified message with its delivery count raised.
/// </summary>
internal sealed class ServiceBusTestBroker : IDisposable
{
    private readonly ContainerHost host;
    private readonly ConcurrentDictionary<string, EntityQueue> queues = new(StringComparer.Ordinal);

    public ServiceBusTestBroker(string grantedSession = "order-1")
    {
        GrantedSession = grantedSession;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        host = new ContainerHost(new Address($"amqp://127.0.0.1:{Port}"));
        host.Listeners[0].SASL.EnableAnonymousMechanism = true;
        host.Listeners[0].HandlerFactory = _ => new LockTokenTagger(this);
        host.RegisterRequestProcessor("$cbs", new CbsProcessor(this));
        host.RegisterLinkProcessor(new EntityLinkProcessor(this));
        host.Open();
    }

    public int Port { get; }

    public string GrantedSession { get; }

    public ConcurrentQueue<PutToken> PutTokens { get; } = new();

    public ConcurrentQueue<Attach> ReceiverAttaches { get; } = new();

    /// <summary>The session filters that receivers asked for, before the broker answered with the granted session.</summary>
    public ConcurrentQueue<DescribedValue> RequestedSessionFilters { get; } = new();

    public ConcurrentQueue<(string MessageId, DeliveryState? State)> Dispositions { get; } = new();

    public ConcurrentQueue<(string Entity, Message Message)> Sent { get; } = new();

    public ConcurrentQueue<Message> ManagementRequests { get; } = new();

    /// <summary>The lock token of each message's latest delivery, by message id.</summary>
    public ConcurrentDictionary<string, Guid> LockTokens { get; } = new(StringComparer.Ordinal);

    public void RegisterManagement(string entity) => host.RegisterRequestProcessor(entity + "/$management", new ManagementProcessor(this));

    /// <summary>Queues a message for delivery to receivers of <paramref name="entity"/>.</summary>
    public void Enqueue(string entity, Message message) => Queue(entity).Add(message, atFront: false);

    public void Dispose() => host.Close();

    private EntityQueue Queue(string entity) => queues.GetOrAdd(entity, _ => new EntityQueue(this));

    internal sealed record PutToken(string Type, string Name, DateTime? Expiration, string Token, ListenerLink Link, DateTime ReceivedAt);

    /// <summary>Gives every delivery to a receiver a new lock token as its delivery tag, as Service Bus does.</summary>
    private sealed class LockTokenTagger(ServiceBusTestBroker broker) : IHandler
    {
        public bool CanHandle(EventId id) => id == EventId.SendDelivery;

        public void Handle(Event protocolEvent)
        {
            if (protocolEvent.Context is IDelivery delivery && delivery.Message.Properties?.MessageId is { } messageId)
            {
                var lockToken = Guid.NewGuid();
                delivery.Tag = lockToken.ToByteArray();
                broker.LockTokens[messageId] = lockToken;
            }
        }
    }

    private sealed class CbsProcessor(ServiceBusTestBroker broker) : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            var properties = requestContext.Message.ApplicationProperties;
            broker.PutTokens.Enqueue(new PutToken(
                (string)properties["type"], (string)properties["name"], properties["expiration"] as DateTime?, (string)requestContext.Message.Body, requestContext.Link,
                DateTime.UtcNow));
            var response = new Message { ApplicationProperties = new ApplicationProperties() };
            response.ApplicationProperties["status-code"] = (string)properties["operation"] == "put-token" ? 200 : 400;
            response.ApplicationProperties["status-description"] = "OK";
            requestContext.Complete(response);
        }
    }

    private sealed class ManagementProcessor(ServiceBusTestBroker broker) : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            broker.ManagementRequests.Enqueue(requestContext.Message);
            var response = new Message(new Map { ["expiration"] = DateTime.UtcNow.AddMinutes(1) }) { ApplicationProperties = new ApplicationProperties() };
            response.ApplicationProperties["statusCode"] = 200;
            requestContext.Complete(response);
        }
    }

    private sealed class EntityLinkProcessor(ServiceBusTestBroker broker) : ILinkProcessor
    {
        public void Process(AttachContext attachContext)
        {
            var attach = attachContext.Attach;
            if (attach.Role)
            {
                var source = (Source)attach.Source;
                broker.ReceiverAttaches.Enqueue(attach);
                var filter = new Symbol("com.microsoft:session-filter");
                if (source.FilterSet?[filter] is DescribedValue requested)
                {
                    broker.RequestedSessionFilters.Enqueue(new DescribedValue(requested.Descriptor, requested.Value));
                    source.FilterSet[filter] = new DescribedValue(requested.Descriptor, broker.GrantedSession);
                }

                attachContext.Complete(new OutgoingEndpoint(broker.Queue(source.Address)), 0);
            }
            else
            {
                attachContext.Complete(new IncomingEndpoint(broker, ((Target)attach.Target).Address), 100);
            }
        }
    }

    private sealed class IncomingEndpoint(ServiceBusTestBroker broker, string entity) : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext)
        {
            broker.Sent.Enqueue((entity, messageContext.Message));
            messageContext.Complete();
        }

        public override void OnFlow(FlowContext flowContext)
        {
        }

        public override void OnDisposition(DispositionContext dispositionContext)
        {
        }
    }

    private sealed class OutgoingEndpoint(EntityQueue queue) : LinkEndpoint
    {
        public override void OnFlow(FlowContext flowContext) => queue.Credit(flowContext.Link, flowContext.Messages);

        public override void OnDisposition(DispositionContext dispositionContext)
        {
            queue.Settled(dispositionContext.Message, dispositionContext.DeliveryState);
            dispositionContext.Complete();
        }
    }

    /// <summary>Messages waiting for a receiver, sent as credit allows.</summary>
    private sealed class EntityQueue(ServiceBusTestBroker broker)
    {
        private readonly Lock gate = new();
        private readonly LinkedList<Message> waiting = new();
        private ListenerLink? link;
        private int credit;

        public void Add(Message message, bool atFront)
        {
            lock (gate)
            {
                if (atFront)
                {
                    waiting.AddFirst(message);
                }
                else
                {
                    waiting.AddLast(message);
                }

                Pump();
            }
        }

        public void Credit(ListenerLink receiver, int messages)
        {
            lock (gate)
            {
                link = receiver;
                credit = messages;
                Pump();
            }
        }

        public void Settled(Message message, DeliveryState? state)
        {
            broker.Dispositions.Enqueue((message.Properties.MessageId, state));
            if (state is Modified or Released)
            {
                var again = Message.Decode(message.Encode());
                again.Header ??= new Header();
                again.Header.DeliveryCount++;
                Add(again, atFront: true);
            }
        }

        private void Pump()
        {
            while (link is { IsClosed: false } receiver && credit > 0 && waiting.First is { } first)
            {
                waiting.RemoveFirst();
                credit--;
                receiver.SendMessage(Message.Decode(first.Value.Encode()));
            }
        }
    }
}
