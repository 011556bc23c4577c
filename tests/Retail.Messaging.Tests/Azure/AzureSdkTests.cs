using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Retail.Contracts.Erp;

namespace Retail.Messaging.Tests.Azure;

/// <summary>What the SDKs do on the wire for the Azure transport, as the peer saw it.</summary>
public sealed class AzureSdkTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly AzurePeer peer = new();
    private ServiceProvider? services;

    private IServiceProvider Services => services ?? throw new InvalidOperationException("Not started.");

    public Task InitializeAsync()
    {
        services = AzureTransport.Services(peer);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (services is not null)
        {
            await services.DisposeAsync();
        }
    }

    public void Dispose() => peer.Dispose();

    [Fact]
    public async Task Publish_ToAQueue_PutsASasTokenForTheEntityFirst()
    {
        await Services.GetRequiredService<IMessagePublisher>().PublishAsync(Entities.ErpOutbound, Message("order-1", 1));

        Assert.Contains(peer.PutTokens, token => token.Type == "servicebus.windows.net:sastoken" && token.Audience.EndsWith("/" + Entities.ErpOutbound, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Consume_WithSessions_AsksForTheNextAvailableSessionAndGetsIt()
    {
        await Services.GetRequiredService<IMessagePublisher>().PublishAsync(Entities.ErpInbound, Message("order-7", 1));
        var handled = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await Services.GetRequiredService<IMessageProcessorFactory>().StartAsync(Entities.ErpInbound, (message, _) =>
        {
            handled.TrySetResult(message.Message.SessionId);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            Assert.Equal("order-7", await handled.Task.WaitAsync(Patience));
        }

        Assert.Contains(peer.SessionsGranted, grant => grant.Requested is null && grant.Granted == "order-7");
    }

    [Fact]
    public async Task Consume_HandlerLongerThanTheLock_TheSdkRenewsTheSessionLockAndCompletes()
    {
        peer.LockDuration = TimeSpan.FromSeconds(2);
        await Services.GetRequiredService<IMessagePublisher>().PublishAsync(Entities.ErpInbound, Message("order-8", 1));
        var completed = 0;
        await using (await Services.GetRequiredService<IMessageProcessorFactory>().StartAsync(Entities.ErpInbound, async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            Interlocked.Increment(ref completed);
            return MessageOutcome.Complete;
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => Volatile.Read(ref completed) == 1, Patience);
        }

        Assert.Contains("com.microsoft:renew-session-lock", peer.ManagementOperations);
    }

    [Fact]
    public async Task PublishEvents_ManySubjects_EachSubjectOnOnePartitionInOrder()
    {
        var publisher = Services.GetRequiredService<IMessagePublisher>();
        for (var sequence = 1; sequence <= 5; sequence++)
        {
            foreach (var subject in new[] { "order-1", "order-2", "SKU-1@WH1" })
            {
                await publisher.PublishAsync(Entities.RetailEvents, Message(subject, sequence) with { ContentType = "application/cloudevents+json" });
            }
        }

        Assert.Equal(15, peer.Events.Count);
        foreach (var subject in peer.Events.GroupBy(sent => sent.PartitionKey))
        {
            Assert.NotNull(subject.Key);
            Assert.Single(subject.Select(sent => sent.Partition).Distinct());
            Assert.Equal(Enumerable.Range(1, 5), subject.Select(sent => int.Parse(sent.Message.Properties.MessageId.Split(':')[^1])));
        }

        Assert.Contains(peer.PutTokens, token => token.Audience.EndsWith("/" + AzurePeer.EventHubName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_ServiceBusAndEventHub_ReportsTheHubsPartitions()
    {
        var result = await Services.GetRequiredService<IMessagingHealth>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains($"{AzurePeer.PartitionCount} partitions", result.Description);
    }

    [Fact]
    public async Task Publish_OverTheSizeLimit_FailsWithAClearError()
    {
        var oversize = Message("order-9", 1) with { Body = new byte[300 * 1024] };

        var error = await Assert.ThrowsAsync<MessagePublishException>(() => Services.GetRequiredService<IMessagePublisher>().PublishAsync(Entities.ErpOutbound, oversize));
        Assert.Contains("order-9", error.Message);
    }

    private static TransportMessage Message(string session, int sequence) => new()
    {
        MessageId = $"{session}:{ErpMessageTypes.SalesOrderPosted}:{sequence}",
        SessionId = session,
        Subject = ErpMessageTypes.SalesOrderPosted,
        ApplicationProperties = new Dictionary<string, string> { [MessageProperties.MessageType] = ErpMessageTypes.SalesOrderPosted },
        Body = Encoding.UTF8.GetBytes("{}"),
    };
}
