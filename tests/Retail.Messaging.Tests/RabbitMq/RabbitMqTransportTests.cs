using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Retail.Contracts.Erp;

namespace Retail.Messaging.Tests.RabbitMq;

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqTransportTests(RabbitMqFixture fixture) : IAsyncLifetime
{
    private readonly ServiceProvider services = fixture.CreateServices();
    private readonly string queue = "test-" + Guid.NewGuid().ToString("N")[..8];

    private IMessagePublisher Publisher => services.GetRequiredService<IMessagePublisher>();

    private IMessageProcessorFactory Processors => services.GetRequiredService<IMessageProcessorFactory>();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await services.DisposeAsync();

    [Fact]
    public async Task Publish_ThenProcess_RoundTripsEveryProperty()
    {
        var sent = new TransportMessage
        {
            MessageId = "msg-1",
            CorrelationId = "corr-1",
            SessionId = "order-42",
            Subject = ErpMessageTypes.ShipmentConfirmed,
            ContentType = "application/json",
            ApplicationProperties = new Dictionary<string, string> { [MessageProperties.MessageType] = ErpMessageTypes.ShipmentConfirmed, ["tenant"] = "eu" },
            Body = Encoding.UTF8.GetBytes("{\"orderId\":\"order-42\"}"),
        };
        await Publisher.PublishAsync(queue, sent);

        var received = await ReceiveOneAsync(queue);

        Assert.Equal(queue, received.Entity);
        Assert.Equal(1, received.DeliveryCount);
        Assert.Equal(sent.MessageId, received.Message.MessageId);
        Assert.Equal(sent.CorrelationId, received.Message.CorrelationId);
        Assert.Equal(sent.SessionId, received.Message.SessionId);
        Assert.Equal(sent.Subject, received.Message.Subject);
        Assert.Equal(sent.ContentType, received.Message.ContentType);
        Assert.Equal(ErpMessageTypes.ShipmentConfirmed, received.Message.ApplicationProperties[MessageProperties.MessageType]);
        Assert.Equal("eu", received.Message.ApplicationProperties["tenant"]);
        Assert.Equal("corr-1", received.Message.ApplicationProperties[MessageProperties.CorrelationId]);
        Assert.Equal(sent.Body.ToArray(), received.Message.Body.ToArray());
    }

    [Fact]
    public async Task Process_WhenAbandoned_RedeliversWithHigherDeliveryCount()
    {
        var counts = new ConcurrentQueue<int>();
        await Publisher.PublishAsync(queue, Message("retry-me"));

        await using (await Processors.StartAsync(queue, (received, _) =>
        {
            counts.Enqueue(received.DeliveryCount);
            return Task.FromResult(received.DeliveryCount < 3 ? MessageOutcome.Abandon : MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => counts.Count == 3);
        }

        Assert.Equal([1, 2, 3], counts);
        await Eventually.HoldsAsync(() => fixture.CountMessagesAsync(queue).Result == 0, because: "the completed message is still on the queue");
    }

    [Fact]
    public async Task Process_WhenAlwaysAbandoned_BrokerDeadLettersAfterTenDeliveries()
    {
        var deliveries = new ConcurrentQueue<int>();
        await Publisher.PublishAsync(queue, Message("poison"));

        await using (await Processors.StartAsync(queue, (received, _) =>
        {
            deliveries.Enqueue(received.DeliveryCount);
            return Task.FromResult(MessageOutcome.Abandon);
        }, new ProcessorOptions()))
        {
            var deadLetter = await ReceiveOneAsync(DeadLetter.QueueOf(queue));

            Assert.Equal("poison", deadLetter.Message.MessageId);
            Assert.Equal(DeadLetter.MaxDeliveryCountExceeded, deadLetter.Message.ApplicationProperties[DeadLetter.ReasonProperty]);
        }

        Assert.Equal(Enumerable.Range(1, 10), deliveries);
    }

    [Fact]
    public async Task Process_WhenDeadLetteredWithReason_ReasonIsReadableFromTheDeadLetterQueue()
    {
        await Publisher.PublishAsync(queue, Message("invalid") with { SessionId = "order-7", Subject = ErpMessageTypes.InvoicePosted });

        await using (await Processors.StartAsync(queue, (_, _) =>
            Task.FromResult(MessageOutcome.DeadLetter("ValidationFailed", "total does not match the lines")), new ProcessorOptions()))
        {
            var deadLetter = await ReceiveOneAsync(DeadLetter.QueueOf(queue));

            Assert.Equal("invalid", deadLetter.Message.MessageId);
            Assert.Equal("order-7", deadLetter.Message.SessionId);
            Assert.Equal(ErpMessageTypes.InvoicePosted, deadLetter.Message.Subject);
            Assert.Equal("ValidationFailed", deadLetter.Message.ApplicationProperties[DeadLetter.ReasonProperty]);
            Assert.Equal("total does not match the lines", deadLetter.Message.ApplicationProperties[DeadLetter.DescriptionProperty]);
        }

        await Eventually.HoldsAsync(() => fixture.CountMessagesAsync(queue).Result == 0, because: "the dead-lettered original is still on the queue");
    }

    [Fact]
    public async Task Process_WithTwoProcessorsAndManySessions_KeepsEachSessionInOrderAndComplete()
    {
        const int sessions = 12;
        const int perSession = 12;
        for (var sequence = 0; sequence < perSession; sequence++)
        {
            for (var session = 0; session < sessions; session++)
            {
                await Publisher.PublishAsync(queue, Message($"s{session}-{sequence}") with
                {
                    SessionId = $"order-{session}",
                    Subject = sequence.ToString(CultureInfo.InvariantCulture),
                });
            }
        }

        var completed = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var active = new ConcurrentDictionary<string, int>();
        var overlapped = false;
        MessageHandler handler = async (received, cancellationToken) =>
        {
            var session = received.Message.SessionId!;
            overlapped |= active.AddOrUpdate(session, 1, (_, count) => count + 1) > 1;
            try
            {
                await Task.Delay(Random.Shared.Next(1, 10), cancellationToken);
                if (Random.Shared.Next(6) == 0 && received.DeliveryCount == 1)
                {
                    return MessageOutcome.Abandon;
                }

                completed.GetOrAdd(session, _ => new ConcurrentQueue<int>()).Enqueue(int.Parse(received.Message.Subject!, CultureInfo.InvariantCulture));
                return MessageOutcome.Complete;
            }
            finally
            {
                active.AddOrUpdate(session, 0, (_, count) => count - 1);
            }
        };
        await using var other = fixture.CreateServices();
        var first = await Processors.StartAsync(queue, handler, new ProcessorOptions { MaxConcurrency = 4 });
        await using var second = await other.GetRequiredService<IMessageProcessorFactory>().StartAsync(queue, handler, new ProcessorOptions { MaxConcurrency = 4 });

        await Eventually.HoldsAsync(() => completed.Values.Sum(values => values.Count) >= sessions * perSession / 3, TimeSpan.FromSeconds(60));
        await first.DisposeAsync();
        await Eventually.HoldsAsync(() => completed.Values.Sum(values => values.Count) >= sessions * perSession, TimeSpan.FromSeconds(90),
            "not every message was completed");

        Assert.False(overlapped, "two messages of one session were handled at the same time");
        Assert.Equal(sessions, completed.Count);
        Assert.All(completed, session => Assert.Equal(Enumerable.Range(0, perSession), session.Value));
    }

    [Fact]
    public async Task Process_WhenBrokerRestartsMidStream_LosesNoMessage()
    {
        const int total = 60;
        var handled = new ConcurrentDictionary<string, int>();
        for (var index = 0; index < total / 2; index++)
        {
            await Publisher.PublishAsync(queue, Message($"m-{index}"));
        }

        await using (await Processors.StartAsync(queue, async (received, cancellationToken) =>
        {
            await Task.Delay(50, cancellationToken);
            handled.AddOrUpdate(received.Message.MessageId, 1, (_, count) => count + 1);
            return MessageOutcome.Complete;
        }, new ProcessorOptions { Sessions = false, MaxConcurrency = 2 }))
        {
            await Eventually.HoldsAsync(() => handled.Count >= 5);
            await fixture.Broker.StopNodeAsync();
            await fixture.Broker.StartNodeAsync();
            for (var index = total / 2; index < total; index++)
            {
                await Publisher.PublishAsync(queue, Message($"m-{index}"));
            }

            await Eventually.HoldsAsync(() => handled.Count == total, TimeSpan.FromSeconds(90), "messages were lost across the restart");
            await Eventually.HoldsAsync(() => fixture.CountMessagesAsync(queue).Result == 0, TimeSpan.FromSeconds(60),
                "completed messages are still on the queue");
        }

        Assert.Equal(Enumerable.Range(0, total).Select(index => $"m-{index}").Order(), handled.Keys.Order());
    }

    [Fact]
    public async Task Publish_WithinActivity_CarriesTraceParentAndCorrelationIdToTheHandler()
    {
        using var recorder = new ActivityRecorder();
        ActivityTraceId traceId;
        using (var request = ActivityRecorder.TestSource.StartActivity("request"))
        {
            traceId = request!.TraceId;
            await Publisher.PublishAsync(queue, Message("traced") with { CorrelationId = "corr-trace" });
        }

        var seen = new TaskCompletionSource<(ActivityTraceId? Trace, ActivityKind? Kind, string? TraceParent, string? Correlation)>();
        await using (await Processors.StartAsync(queue, (received, _) =>
        {
            seen.TrySetResult((Activity.Current?.TraceId, Activity.Current?.Kind, received.Message.ApplicationProperties.GetValueOrDefault(MessageProperties.TraceParent),
                received.Message.CorrelationId));
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            var (trace, kind, traceParent, correlation) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(traceId, trace);
            Assert.Equal(ActivityKind.Consumer, kind);
            Assert.StartsWith("00-" + traceId.ToHexString() + "-", traceParent);
            Assert.Equal("corr-trace", correlation);
        }

        Assert.Contains(recorder.Stopped, activity => activity.Kind == ActivityKind.Producer && activity.TraceId == traceId);
    }

    [Fact]
    public async Task Publish_ToRetailEvents_IsReadableFromTheEventsQueue()
    {
        var id = "evt-" + Guid.NewGuid().ToString("N");
        await Publisher.PublishAsync(Entities.RetailEvents, Message(id) with { Subject = "order-1", ContentType = "application/cloudevents+json" });

        var received = new ConcurrentQueue<TransportMessage>();
        await using (await Processors.StartAsync(Entities.RetailEvents, (message, _) =>
        {
            received.Enqueue(message.Message);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => received.Any(message => message.MessageId == id));
        }

        Assert.Equal("application/cloudevents+json", received.Single(message => message.MessageId == id).ContentType);
    }

    [Fact]
    public async Task CheckHealthAsync_WhenBrokerRuns_IsHealthy()
    {
        var result = await services.GetRequiredService<IMessagingHealth>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    private async Task<ReceivedMessage> ReceiveOneAsync(string entity)
    {
        var received = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await Processors.StartAsync(entity, (message, _) =>
        {
            received.TrySetResult(message);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            return await received.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    private static TransportMessage Message(string id) => new()
    {
        MessageId = id,
        Body = Encoding.UTF8.GetBytes("{}"),
    };
}
