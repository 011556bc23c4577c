using System.Collections.Concurrent;
using System.Text;
using Amqp;
using Amqp.Framing;
using Amqp.Types;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retail.Contracts.Erp;

namespace Retail.Messaging.Tests.ServiceBus;

public sealed class ServiceBusTransportTests : IAsyncLifetime, IDisposable
{
    private readonly ServiceBusTestBroker broker = new();
    private ServiceProvider? services;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }
    }

    public void Dispose() => broker.Dispose();

    [Fact]
    public async Task Publish_WithSasKey_PutsSasTokenForTheEntityThenSendsTheMessageWithItsSchedule()
    {
        var publisher = Services(("Messaging:ServiceBus:SasKeyName", "RetailSend"), ("Messaging:ServiceBus:SasKey", "c2VjcmV0LWtleQ==")).GetRequiredService<IMessagePublisher>();

        var due = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

        await publisher.PublishAsync(Entities.ErpOutbound, new TransportMessage
        {
            MessageId = "so-1",
            SessionId = "order-1",
            Subject = ErpMessageTypes.SalesOrderPosted,
            Body = Encoding.UTF8.GetBytes("{}"),
            ScheduledEnqueueTime = due,
        });

        var token = Assert.Single(broker.PutTokens);
        Assert.Equal("servicebus.windows.net:sastoken", token.Type);
        Assert.Equal("sb://127.0.0.1/erp-outbound", token.Name);
        Assert.StartsWith("SharedAccessSignature sr=sb%3A%2F%2F127.0.0.1%2Ferp-outbound&sig=", token.Token);
        Assert.EndsWith("&skn=RetailSend", token.Token);
        Assert.InRange(token.Expiration!.Value, DateTime.UtcNow.AddMinutes(55), DateTime.UtcNow.AddMinutes(61));
        var (entity, message) = Assert.Single(broker.Sent);
        Assert.Equal(Entities.ErpOutbound, entity);
        Assert.Equal("so-1", message.Properties.MessageId);
        Assert.Equal("order-1", message.Properties.GroupId);
        Assert.Equal(ErpMessageTypes.SalesOrderPosted, message.Properties.Subject);
        Assert.Equal(due.UtcDateTime, message.MessageAnnotations[new Symbol("x-opt-scheduled-enqueue-time")]);
    }

    [Fact]
    public async Task Publish_WithEntraCredential_PutsJwtTokenAndRenewsItOnTheSameLinkBeforeExpiry()
    {
        var credential = new FakeCredential(TimeSpan.FromSeconds(4));
        var publisher = Services(credential).GetRequiredService<IMessagePublisher>();

        await publisher.PublishAsync(Entities.ErpOutbound, new TransportMessage { MessageId = "so-2" });
        await Eventually.HoldsAsync(() => broker.PutTokens.Count >= 2, TimeSpan.FromSeconds(30), "the token was not renewed");

        var tokens = broker.PutTokens.ToArray();
        Assert.All(tokens, token => Assert.Equal("jwt", token.Type));
        Assert.All(tokens, token => Assert.Equal("sb://127.0.0.1/erp-outbound", token.Name));
        Assert.Equal(["token-1", "token-2"], tokens.Take(2).Select(token => token.Token));
        Assert.Equal(credential.ExpiresOn("token-1"), tokens[0].Expiration!.Value, TimeSpan.FromMilliseconds(1));
        Assert.True(tokens[1].ReceivedAt < tokens[0].Expiration, "the token was renewed only after it had expired");
        Assert.Same(tokens[0].Link, tokens[1].Link);
        Assert.Equal("https://servicebus.azure.net/.default", Assert.Single(credential.Scopes.Distinct()));
    }

    [Fact]
    public async Task Process_WithSessions_AttachesWithSessionFilterAndSettlesEachOutcomeAsServiceBusExpects()
    {
        broker.Enqueue(Entities.ErpInbound, Incoming("ok-1"));
        broker.Enqueue(Entities.ErpInbound, Incoming("retry-2"));
        broker.Enqueue(Entities.ErpInbound, Incoming("poison-3"));
        var seen = new ConcurrentQueue<ReceivedMessage>();
        var processors = Services(new FakeCredential(TimeSpan.FromHours(1))).GetRequiredService<IMessageProcessorFactory>();

        await using (await processors.StartAsync(Entities.ErpInbound, (received, _) =>
        {
            seen.Enqueue(received);
            return Task.FromResult(received.Message.MessageId switch
            {
                "retry-2" when received.DeliveryCount == 1 => MessageOutcome.Abandon,
                "poison-3" => MessageOutcome.DeadLetter("ValidationFailed", "orderId is missing"),
                _ => MessageOutcome.Complete,
            });
        }, new ProcessorOptions { Sessions = true, MaxConcurrency = 1 }))
        {
            await Eventually.HoldsAsync(() => broker.Dispositions.Count >= 4);
        }

        var attach = broker.ReceiverAttaches.First(candidate => ((Source)candidate.Source).Address == Entities.ErpInbound);
        Assert.Equal(ReceiverSettleMode.Second, attach.RcvSettleMode);
        var filter = broker.RequestedSessionFilters.First();
        Assert.Equal(0x00000137000000CUL, filter.Descriptor);
        Assert.Null(filter.Value);
        Assert.Contains(broker.PutTokens, token => token.Name == "sb://127.0.0.1/erp-inbound");
        Assert.Equal(["ok-1", "retry-2", "retry-2", "poison-3"], seen.Select(received => received.Message.MessageId));
        Assert.Equal([1, 1, 2, 1], seen.Select(received => received.DeliveryCount));
        Assert.All(seen, received => Assert.Equal("order-1", received.Message.SessionId));
        var dispositions = broker.Dispositions.ToArray();
        Assert.IsType<Accepted>(dispositions[0].State);
        var modified = Assert.IsType<Modified>(dispositions[1].State);
        Assert.False(modified.DeliveryFailed);
        Assert.False(modified.UndeliverableHere);
        Assert.IsType<Accepted>(dispositions[2].State);
        var rejected = Assert.IsType<Rejected>(dispositions[3].State);
        Assert.Equal("com.microsoft:dead-letter", (string)rejected.Error.Condition);
        Assert.Equal("ValidationFailed", rejected.Error.Info[new Symbol("DeadLetterReason")]);
        Assert.Equal("orderId is missing", rejected.Error.Info[new Symbol("DeadLetterErrorDescription")]);
    }

    [Fact]
    public async Task Process_WhenHandlerRunsLong_RenewsTheSessionLockThroughManagement()
    {
        broker.RegisterManagement(Entities.ErpInbound);
        broker.Enqueue(Entities.ErpInbound, Incoming("slow-1"));
        var processors = Services(new FakeCredential(TimeSpan.FromHours(1)), ("Messaging:ServiceBus:LockRenewalInterval", "00:00:00.200"))
            .GetRequiredService<IMessageProcessorFactory>();

        await using (await processors.StartAsync(Entities.ErpInbound, async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
            return MessageOutcome.Complete;
        }, new ProcessorOptions { Sessions = true, MaxConcurrency = 1 }))
        {
            await Eventually.HoldsAsync(() => !broker.Dispositions.IsEmpty);
        }

        var renewal = broker.ManagementRequests.First();
        Assert.Equal("com.microsoft:renew-session-lock", renewal.ApplicationProperties["operation"]);
        Assert.Equal("order-1", ((Map)renewal.Body)["session-id"]);
    }

    [Fact]
    public async Task Process_WithoutSessionsWhenHandlerRunsLong_RenewsTheMessageLockWithTheDeliveryTagAsLockToken()
    {
        broker.RegisterManagement(Entities.ErpInbound);
        broker.Enqueue(Entities.ErpInbound, Incoming("slow-2"));
        var processors = Services(new FakeCredential(TimeSpan.FromHours(1)), ("Messaging:ServiceBus:LockRenewalInterval", "00:00:00.200"))
            .GetRequiredService<IMessageProcessorFactory>();

        await using (await processors.StartAsync(Entities.ErpInbound, async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
            return MessageOutcome.Complete;
        }, new ProcessorOptions { Sessions = false, MaxConcurrency = 1 }))
        {
            await Eventually.HoldsAsync(() => !broker.Dispositions.IsEmpty);
        }

        var renewal = broker.ManagementRequests.First();
        Assert.Equal("com.microsoft:renew-lock", renewal.ApplicationProperties["operation"]);
        Assert.Equal(broker.LockTokens["slow-2"], Assert.Single((Guid[])((Map)renewal.Body)["lock-tokens"]));
        Assert.Null(((Source)broker.ReceiverAttaches.First().Source).FilterSet);
    }

    [Fact]
    public async Task Publish_ToTheEventHub_CarriesTheSessionAsPartitionKeyAndAnEventHubsToken()
    {
        var credential = new FakeCredential(TimeSpan.FromHours(1));
        var publisher = Services(credential, ("Messaging:EventHubs:FullyQualifiedNamespace", "127.0.0.1"), ("Messaging:EventHubs:Port", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Messaging:EventHubs:UseTls", "false")).GetRequiredService<IMessagePublisher>();

        await publisher.PublishAsync(Entities.RetailEvents, new TransportMessage { MessageId = "order-9:3", SessionId = "order-9", Subject = "retail.order.shipped" });

        var (entity, message) = Assert.Single(broker.Sent);
        Assert.Equal(Entities.RetailEvents, entity);
        Assert.Equal("order-9", message.MessageAnnotations[new Symbol("x-opt-partition-key")]);
        var token = Assert.Single(broker.PutTokens);
        Assert.Equal(("jwt", "sb://127.0.0.1/retail-events"), (token.Type, token.Name));
        Assert.Equal("https://eventhubs.azure.net/.default", Assert.Single(credential.Scopes.Distinct()));
    }

    [Fact]
    public async Task Process_OnATopicSubscription_AuthorizesAndReceivesFromTheSubscriptionPath()
    {
        const string subscription = "retail-events/Subscriptions/erp";
        broker.Enqueue(subscription, Incoming("event-1"));
        var seen = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var processors = Services(new FakeCredential(TimeSpan.FromHours(1))).GetRequiredService<IMessageProcessorFactory>();

        await using (await processors.StartAsync(subscription, (received, _) =>
        {
            seen.TrySetResult(received);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions { Sessions = false }))
        {
            var received = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(subscription, received.Entity);
            Assert.Equal("event-1", received.Message.MessageId);
        }

        Assert.Contains(broker.ReceiverAttaches, attach => ((Source)attach.Source).Address == subscription);
        Assert.Contains(broker.PutTokens, token => token.Name == "sb://127.0.0.1/" + subscription);
        await Eventually.HoldsAsync(() => broker.Dispositions.Any(disposition => disposition.MessageId == "event-1" && disposition.State is Accepted));
    }

    [Fact]
    public async Task StartAsync_OnTheEventHub_RefusesClearly()
    {
        var processors = Services(new FakeCredential(TimeSpan.FromHours(1)), ("Messaging:EventHubs:FullyQualifiedNamespace", "127.0.0.1")).GetRequiredService<IMessageProcessorFactory>();

        var error = await Assert.ThrowsAsync<NotSupportedException>(() =>
            processors.StartAsync(Entities.RetailEvents, (_, _) => Task.FromResult(MessageOutcome.Complete), new ProcessorOptions()));

        Assert.Contains("event hub", error.Message, StringComparison.Ordinal);
    }

    private ServiceProvider Services(params (string Key, string Value)[] settings) => Services(null, settings);

    private ServiceProvider Services(TokenCredential? credential, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "Azure",
            ["Messaging:ServiceBus:FullyQualifiedNamespace"] = "127.0.0.1",
            ["Messaging:ServiceBus:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:ServiceBus:UseTls"] = "false",
            ["Messaging:ServiceBus:SessionIdleTimeout"] = "00:00:30",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var collection = new ServiceCollection();
        if (credential is not null)
        {
            collection.AddSingleton(credential);
        }

        services = collection.AddRetailMessaging(new ConfigurationBuilder().AddInMemoryCollection(values).Build()).BuildServiceProvider();
        return services;
    }

    private static Message Incoming(string id) => new()
    {
        Header = new Header(),
        Properties = new Properties { MessageId = id, GroupId = "order-1", Subject = ErpMessageTypes.ShipmentConfirmed },
        ApplicationProperties = new ApplicationProperties { [MessageProperties.MessageType] = ErpMessageTypes.ShipmentConfirmed },
        BodySection = new Data { Binary = Encoding.UTF8.GetBytes("{}") },
    };

    /// <summary>An Entra credential that hands out numbered tokens with a fixed lifetime and records the scopes asked for.</summary>
    private sealed class FakeCredential(TimeSpan lifetime) : TokenCredential
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> expiries = new(StringComparer.Ordinal);
        private int issued;

        public ConcurrentQueue<string> Scopes { get; } = new();

        public DateTime ExpiresOn(string token) => expiries[token].UtcDateTime;

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes)
            {
                Scopes.Enqueue(scope);
            }

            var token = new AccessToken($"token-{Interlocked.Increment(ref issued)}", DateTimeOffset.UtcNow + lifetime);
            expiries[token.Token] = token.ExpiresOn;
            return token;
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
