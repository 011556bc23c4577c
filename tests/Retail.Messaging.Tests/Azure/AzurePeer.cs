using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Amqp;
using Amqp.Framing;
using Amqp.Handler;
using Amqp.Listener;
using Amqp.Sasl;
using Amqp.Types;
using RequestContext = Amqp.Listener.RequestContext;

namespace Retail.Messaging.Tests.Azure;

/// <summary>
/// Plays the Service Bus and Event Hubs side of AMQP 1.0 on loopback for the real SDKs (plain AMQP, as the SDKs
/// speak with <c>UseDevelopmentEmulator=true</c>): SASL MSSBCBS, <c>$cbs</c> put-token, queues created on first use
/// with sessions (<c>com.microsoft:session-filter</c>, next available session, session lock), peek-lock with a
/// 16-byte lock token as delivery tag, complete, abandon (delivery count raised, dead-lettered with
/// MaxDeliveryCountExceeded on the 10th), dead-letter with reason and description, the dead-letter queue,
/// renew-lock and renew-session-lock on <c>&lt;entity&gt;/$management</c>, and the event hub's properties and
/// partitioned sends. It records what the SDKs did. See docs/messaging.md for what it does not mimic.
/// </summary>
internal sealed class AzurePeer : IDisposable
{
    public const string EventHubName = "retail-events";
    public const int PartitionCount = 4;
    private const int MaxDeliveryCount = 10;
    private static readonly Symbol SessionFilter = new("com.microsoft:session-filter");
    private static readonly Symbol LockedUntilUtc = new("com.microsoft:locked-until-utc");
    private readonly ContainerHost host;
    private readonly ConcurrentDictionary<string, PeerQueue> queues = new(StringComparer.OrdinalIgnoreCase);

    public AzurePeer()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        host = new ContainerHost(new Address($"amqp://127.0.0.1:{Port}"));
        host.Listeners[0].SASL.EnableMechanism(new Symbol("MSSBCBS"), new AcceptingSaslProfile());
        host.Listeners[0].HandlerFactory = _ => new LockTokenTagger();
        host.AddressResolver = (_, attach) =>
        {
            attach.MaxMessageSize = 256 * 1024;
            var address = (attach.Role ? ((Source)attach.Source).Address : ((Target)attach.Target).Address)?.TrimStart('/');
            return address is not null && address.EndsWith("/$management", StringComparison.OrdinalIgnoreCase) ? "entity-management" : address;
        };
        host.RegisterRequestProcessor("$cbs", new CbsProcessor(this));
        host.RegisterRequestProcessor("entity-management", new EntityManagementProcessor(this));
        host.RegisterRequestProcessor("$management", new EventHubManagementProcessor());
        host.RegisterLinkProcessor(new EntityLinkProcessor(this));
        host.Open();
    }

    public int Port { get; }

    /// <summary>How long a lock lasts before the SDK has to renew it (short, so that renewals happen within a test).</summary>
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromSeconds(30);

    public string ServiceBusConnectionString => $"Endpoint=sb://127.0.0.1:{Port};SharedAccessKeyName=RetailTest;SharedAccessKey=dGVzdC1rZXk=;UseDevelopmentEmulator=true";

    public string EventHubsConnectionString => $"{ServiceBusConnectionString};EntityPath={EventHubName}";

    public ConcurrentQueue<(string Type, string Audience)> PutTokens { get; } = new();

    /// <summary>The session filter value each session receiver asked for (null: the next available session), and what it got.</summary>
    public ConcurrentQueue<(string? Requested, string Granted)> SessionsGranted { get; } = new();

    public ConcurrentQueue<string> ManagementOperations { get; } = new();

    /// <summary>Events sent to the event hub: partition key and the partition it landed on, in arrival order.</summary>
    public ConcurrentQueue<(string? PartitionKey, int Partition, Message Message)> Events { get; } = new();

    public void Dispose() => host.Close();

    private PeerQueue Queue(string address) => queues.GetOrAdd(address, name => new PeerQueue(this, name));

    private static string? AsString(object? value) => value as string;

    /// <summary>Accepts the SDKs' SASL MSSBCBS (authorization follows through CBS put-token).</summary>
    private sealed class AcceptingSaslProfile() : SaslProfile(new Symbol("MSSBCBS"))
    {
        protected override ITransport UpgradeTransport(ITransport transport) => transport;

        protected override DescribedList GetStartCommand(string hostname) => throw new NotSupportedException("Server side only.");

        protected override DescribedList OnCommand(DescribedList command) =>
            command is SaslInit ? new SaslOutcome { Code = SaslCode.Ok } : throw new AmqpException(Amqp.ErrorCode.NotAllowed, command.ToString());
    }

    /// <summary>Gives every delivery to a receiver a fresh lock token as its delivery tag, as Service Bus does.</summary>
    private sealed class LockTokenTagger : IHandler
    {
        public bool CanHandle(EventId id) => id == EventId.SendDelivery;

        public void Handle(Event protocolEvent)
        {
            if (protocolEvent.Context is IDelivery delivery && delivery.Message.MessageAnnotations?[new Symbol("x-opt-lock-token")] is Guid lockToken)
            {
                delivery.Tag = lockToken.ToByteArray();
            }
        }
    }

    private sealed class CbsProcessor(AzurePeer peer) : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            var properties = requestContext.Message.ApplicationProperties;
            peer.PutTokens.Enqueue(((string)properties["type"], (string)properties["name"]));
            var ok = (string)properties["operation"] == "put-token" && requestContext.Message.Body is string token && token.StartsWith("SharedAccessSignature ", StringComparison.Ordinal);
            var response = new Message { ApplicationProperties = new ApplicationProperties() };
            response.ApplicationProperties["status-code"] = ok ? 202 : 401;
            response.ApplicationProperties["status-description"] = ok ? "Accepted" : "Unauthorized";
            requestContext.Complete(response);
        }
    }

    /// <summary>renew-lock and renew-session-lock: a new expiry, and what was asked recorded.</summary>
    private sealed class EntityManagementProcessor(AzurePeer peer) : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            var operation = (string)requestContext.Message.ApplicationProperties["operation"];
            peer.ManagementOperations.Enqueue(operation);
            var until = DateTime.UtcNow + peer.LockDuration;
            var body = requestContext.Message.Body as Map;
            Map reply = operation switch
            {
                "com.microsoft:renew-lock" => new Map { ["expirations"] = ((Guid[])body!["lock-tokens"]).Select(_ => until).ToArray() },
                "com.microsoft:renew-session-lock" => new Map { ["expiration"] = until },
                _ => [],
            };
            var known = operation is "com.microsoft:renew-lock" or "com.microsoft:renew-session-lock";
            var response = new Message(reply) { ApplicationProperties = new ApplicationProperties() };
            response.ApplicationProperties["statusCode"] = known ? 200 : 501;
            response.ApplicationProperties["statusDescription"] = known ? "OK" : "Not implemented by the test peer: " + operation;
            requestContext.Complete(response);
        }
    }

    /// <summary>The event hub's properties: its name and partitions (an AMQP array of strings).</summary>
    private sealed class EventHubManagementProcessor : IRequestProcessor
    {
        public int Credit => 100;

        public void Process(RequestContext requestContext)
        {
            var properties = requestContext.Message.ApplicationProperties;
            var response = new Message(new Map
            {
                ["name"] = (string)properties["name"],
                ["created_at"] = DateTime.UtcNow.AddDays(-1),
                ["partition_ids"] = Enumerable.Range(0, PartitionCount).Select(partition => partition.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            })
            { ApplicationProperties = new ApplicationProperties() };
            response.ApplicationProperties["status-code"] = 200;
            response.ApplicationProperties["status-description"] = "OK";
            requestContext.Complete(response);
        }
    }

    private sealed class EntityLinkProcessor(AzurePeer peer) : ILinkProcessor
    {
        public void Process(AttachContext attachContext)
        {
            var attach = attachContext.Attach;
            if (!attach.Role)
            {
                attachContext.Complete(new IncomingEndpoint(peer, ((Target)attach.Target).Address.TrimStart('/')), 100);
                return;
            }

            var source = (Source)attach.Source;
            var queue = peer.Queue(source.Address.TrimStart('/'));
            if (source.FilterSet is { } filters && filters.ContainsKey(SessionFilter))
            {
                queue.AcceptSession(attachContext, filters[SessionFilter]);
            }
            else
            {
                attachContext.Complete(new OutgoingEndpoint(queue, null), 0);
            }
        }
    }

    private sealed class IncomingEndpoint(AzurePeer peer, string entity) : LinkEndpoint
    {
        public override void OnMessage(MessageContext messageContext)
        {
            var message = messageContext.Message;
            if (string.Equals(entity, EventHubName, StringComparison.OrdinalIgnoreCase))
            {
                var key = AsString(message.MessageAnnotations?[new Symbol("x-opt-partition-key")]);
                var partition = key is null ? 0 : (int)((uint)StringComparer.Ordinal.GetHashCode(key) % PartitionCount);
                peer.Events.Enqueue((key, partition, message));
            }
            else
            {
                peer.Queue(entity).Send(Message.Decode(message.Encode()));
            }

            messageContext.Complete();
        }

        public override void OnFlow(FlowContext flowContext)
        {
        }

        public override void OnDisposition(DispositionContext dispositionContext)
        {
        }
    }

    private sealed class OutgoingEndpoint(PeerQueue queue, string? session) : LinkEndpoint
    {

        public override void OnFlow(FlowContext flowContext) => queue.Credit(flowContext.Link, session, flowContext.Messages);

        public override void OnDisposition(DispositionContext dispositionContext)
        {
            var state = dispositionContext.DeliveryState;
            queue.Settle(dispositionContext.Message, state);
            if (!dispositionContext.Settled && !dispositionContext.Link.IsClosed)
            {
                try
                {
                    dispositionContext.Link.DisposeMessage(dispositionContext.Message, state, true);
                }
                catch (Exception exception) when (exception is AmqpException or InvalidOperationException or ObjectDisposedException)
                {
                    // The link is closing; the receiver has settled already.
                }
            }
        }

        public override void OnLinkClosed(ListenerLink link, Error error) => queue.LinkClosed(link, session);
    }

    /// <summary>A queue (or a dead-letter queue): entries in order, each session locked by at most one receiver link.</summary>
    private sealed class PeerQueue(AzurePeer peer, string name)
    {
        private readonly Lock gate = new();
        private readonly List<Entry> entries = [];
        private readonly Dictionary<ListenerLink, (string? Session, int Credit)> receivers = [];
        private readonly Dictionary<string, ListenerLink?> lockedSessions = new(StringComparer.Ordinal);
        private readonly List<(AttachContext Context, object? Requested)> waitingForSession = [];
        private readonly HashSet<string> seenMessageIds = new(StringComparer.Ordinal);
        private long sequence;

        /// <summary>A send; as with the queues' duplicate detection, a message id already sent is dropped.</summary>
        public void Send(Message message) => Run(effects =>
        {
            if (seenMessageIds.Add(message.Properties.MessageId))
            {
                entries.Add(new Entry(message, ++sequence));
                GrantWaitingSessions(effects);
                Pump(effects);
            }
        });

        public void Add(Message message, int deliveryCount) => Run(effects =>
        {
            entries.Add(new Entry(message, ++sequence) { DeliveryCount = deliveryCount });
            GrantWaitingSessions(effects);
            Pump(effects);
        });

        /// <summary>
        /// A session receiver: the session asked for, or the next one with messages, or at once a timeout error that the
        /// SDK answers by asking again. (The service holds the attach until a session is available; a listener link
        /// that is detached before its attach was answered ends the whole connection in the AMQP library, so the peer
        /// answers every attach at once.)
        /// </summary>
        public void AcceptSession(AttachContext context, object? requested)
        {
            var granted = false;
            Run(effects =>
            {
                waitingForSession.Add((context, requested));
                GrantWaitingSessions(effects);
                granted = !waitingForSession.Any(waiting => waiting.Context == context);
                waitingForSession.RemoveAll(waiting => waiting.Context == context);
            });
            if (!granted)
            {
                context.Complete(new Error(new Symbol("com.microsoft:timeout")) { Description = "No session is available." });
            }
        }

        public void Credit(ListenerLink link, string? session, int messages) => Run(effects =>
        {
            if (link.IsDraining && !entries.Any(entry => entry.DeliveredOn is null && Matches(entry, session)))
            {
                receivers[link] = (session, 0);
                effects.Add(link.CompleteDrain);
                return;
            }

            receivers[link] = (session, (receivers.TryGetValue(link, out var known) ? known.Credit : 0) + messages);
            Pump(effects);
        });

        public void Settle(Message message, DeliveryState? state) => Run(effects =>
        {
            {
                var lockToken = (Guid)message.MessageAnnotations[new Symbol("x-opt-lock-token")];
                var entry = entries.FirstOrDefault(candidate => candidate.LockToken == lockToken);
                if (entry is null)
                {
                    return;
                }

                switch (state)
                {
                    case Accepted:
                        entries.Remove(entry);
                        break;
                    case Rejected { Error: { } error } when error.Condition.Equals(new Symbol("com.microsoft:dead-letter")):
                        DeadLetter(entry, AsString(error.Info?[new Symbol("DeadLetterReason")]) ?? "", AsString(error.Info?[new Symbol("DeadLetterErrorDescription")]) ?? "");
                        break;
                    default:
                        Release(entry);
                        break;
                }

                Pump(effects);
            }
        });

        public void LinkClosed(ListenerLink link, string? session) => Run(effects =>
        {
            {
                receivers.Remove(link);
                foreach (var entry in entries.Where(entry => entry.DeliveredOn == link).ToList())
                {
                    Release(entry);
                }

                if (session is not null && lockedSessions.TryGetValue(session, out var owner) && owner == link)
                {
                    lockedSessions.Remove(session);
                }

                GrantWaitingSessions(effects);
                Pump(effects);
            }
        });

        /// <summary>Changes the queue under its lock, then talks to the links outside it (the AMQP library calls back on its own threads).</summary>
        private void Run(Action<List<Action>> change)
        {
            var effects = new List<Action>();
            lock (gate)
            {
                change(effects);
            }

            foreach (var effect in effects)
            {
                try
                {
                    effect();
                }
                catch (Exception exception) when (exception is AmqpException or InvalidOperationException or ObjectDisposedException)
                {
                    // The link or connection is closing; its deliveries come back through LinkClosed.
                }
            }
        }

        private void Release(Entry entry)
        {
            entry.DeliveredOn = null;
            entry.DeliveryCount++;
            if (entry.DeliveryCount >= MaxDeliveryCount && !name.EndsWith("/$DeadLetterQueue", StringComparison.OrdinalIgnoreCase))
            {
                DeadLetter(entry, Messaging.DeadLetter.MaxDeliveryCountExceeded, $"Message could not be consumed after {MaxDeliveryCount} delivery attempts.");
            }
        }

        private void DeadLetter(Entry entry, string reason, string description)
        {
            entries.Remove(entry);
            var dead = Message.Decode(entry.Message.Encode());
            dead.ApplicationProperties ??= new ApplicationProperties();
            dead.ApplicationProperties["DeadLetterReason"] = reason;
            dead.ApplicationProperties["DeadLetterErrorDescription"] = description;
            var deadLetterQueue = peer.Queue(name + "/$DeadLetterQueue");
            ThreadPool.QueueUserWorkItem(_ => deadLetterQueue.Add(dead, entry.DeliveryCount));
        }

        private void GrantWaitingSessions(List<Action> effects)
        {
            foreach (var waiting in waitingForSession.ToList())
            {
                var wanted = waiting.Requested is DescribedValue described ? described.Value as string : waiting.Requested as string;
                var session = wanted ?? entries
                    .Where(entry => entry.DeliveredOn is null && entry.Session is { } candidate && !lockedSessions.ContainsKey(candidate))
                    .Select(entry => entry.Session)
                    .FirstOrDefault();
                if (session is null || lockedSessions.ContainsKey(session))
                {
                    continue;
                }

                waitingForSession.Remove(waiting);
                lockedSessions[session] = waiting.Context.Link;
                peer.SessionsGranted.Enqueue((wanted, session));
                var source = (Source)waiting.Context.Attach.Source;
                source.FilterSet[SessionFilter] = waiting.Requested is DescribedValue requested ? new DescribedValue(requested.Descriptor, session) : session;
                waiting.Context.Attach.Properties ??= new Fields();
                waiting.Context.Attach.Properties[LockedUntilUtc] = (DateTime.UtcNow + peer.LockDuration).Ticks;
                var context = waiting.Context;
                context.Link.AddClosedCallback((_, _) => LinkClosed(context.Link, session));
                effects.Add(() => context.Complete(new OutgoingEndpoint(this, session), 0));
            }
        }

        private static bool Matches(Entry entry, string? session) => session is null || entry.Session == session;

        private void Pump(List<Action> effects)
        {
            foreach (var (link, (session, credit)) in receivers.ToList())
            {
                var left = credit;
                while (left > 0 && !link.IsClosed)
                {
                    if (session is not null && entries.Any(entry => entry.Session == session && entry.DeliveredOn is not null))
                    {
                        break;
                    }

                    var next = entries.FirstOrDefault(entry => entry.DeliveredOn is null && Matches(entry, session)
                        && (session is not null || entry.Session is null || !lockedSessions.ContainsKey(entry.Session)));
                    if (next is null)
                    {
                        break;
                    }

                    next.DeliveredOn = link;
                    next.LockToken = Guid.NewGuid();
                    left--;
                    var delivery = next.ForDelivery(peer.LockDuration);
                    effects.Add(() => link.SendMessage(delivery));
                }

                receivers[link] = (session, left);
            }
        }
    }

    private sealed class Entry(Message message, long sequence)
    {
        public Message Message { get; } = message;

        public string? Session { get; } = message.Properties?.GroupId;

        public int DeliveryCount { get; set; }

        public ListenerLink? DeliveredOn { get; set; }

        public Guid LockToken { get; set; }

        /// <summary>A copy with the delivery count, sequence number, enqueued time, lock expiry and lock token (the tagger turns it into the delivery tag).</summary>
        public Message ForDelivery(TimeSpan lockDuration)
        {
            var copy = Message.Decode(Message.Encode());
            copy.Header ??= new Header();
            copy.Header.DeliveryCount = (uint)DeliveryCount;
            copy.MessageAnnotations ??= new MessageAnnotations();
            copy.MessageAnnotations[new Symbol("x-opt-sequence-number")] = sequence;
            copy.MessageAnnotations[new Symbol("x-opt-enqueued-time")] = DateTime.UtcNow;
            copy.MessageAnnotations[new Symbol("x-opt-locked-until")] = DateTime.UtcNow + lockDuration;
            copy.MessageAnnotations[new Symbol("x-opt-lock-token")] = LockToken;
            return copy;
        }
    }
}
