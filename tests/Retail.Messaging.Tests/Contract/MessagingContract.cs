using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Retail.Contracts.Erp;

namespace Retail.Messaging.Tests.Contract;

/// <summary>
/// What every transport guarantees through the seam (docs/messaging.md), run against each implementation: publish
/// and consume with every property, per-session order under concurrency, at least once, duplicate message ids,
/// abandon then dead-letter after the limit, dead-letter at once with a reason, publish while no consumer runs,
/// graceful stop, trace context, health.
/// </summary>
public abstract class MessagingContract
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The transport's services; each test uses entities of its own.</summary>
    protected abstract IServiceProvider Services { get; }

    /// <summary>A fresh entity; transports whose entities are fixed override it.</summary>
    protected virtual string NewEntity() => "contract-" + Guid.NewGuid().ToString("N")[..8];

    protected virtual int MaxDeliveryCount => 10;

    private IMessagePublisher Publisher => Services.GetRequiredService<IMessagePublisher>();

    private IMessageProcessorFactory Processors => Services.GetRequiredService<IMessageProcessorFactory>();

    [Fact]
    public async Task Publish_ThenConsume_DeliversTheMessageWithEveryProperty()
    {
        var entity = NewEntity();
        var sent = Message("order-1", 1) with { CorrelationId = "corr-1", Subject = ErpMessageTypes.SalesOrderPosted };
        await Publisher.PublishAsync(entity, sent);
        var received = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await Processors.StartAsync(entity, (message, _) =>
        {
            received.TrySetResult(message);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            var message = (await received.Task.WaitAsync(Patience)).Message;
            Assert.Equal(sent.MessageId, message.MessageId);
            Assert.Equal("corr-1", message.CorrelationId);
            Assert.Equal("order-1", message.SessionId);
            Assert.Equal(ErpMessageTypes.SalesOrderPosted, message.Subject);
            Assert.Equal("application/json", message.ContentType);
            Assert.Equal(ErpMessageTypes.SalesOrderPosted, message.ApplicationProperties[MessageProperties.MessageType]);
            Assert.Equal(sent.Body.ToArray(), message.Body.ToArray());
            Assert.Equal(1, (await received.Task).DeliveryCount);
        }
    }

    [Fact]
    public async Task Consume_ManySessionsConcurrently_KeepsEachSessionInOrderAndRunsSessionsInParallel()
    {
        var entity = NewEntity();
        const int sessions = 12, perSession = 8;
        await Task.WhenAll(Enumerable.Range(0, sessions).Select(async session =>
        {
            for (var sequence = 1; sequence <= perSession; sequence++)
            {
                await Publisher.PublishAsync(entity, Message($"order-{session}", sequence));
            }
        }));

        var seen = new ConcurrentDictionary<string, List<int>>();
        var running = new ConcurrentDictionary<string, int>();
        var concurrent = 0;
        var maxConcurrent = 0;
        var overlapWithinSession = 0;
        await using (await Processors.StartAsync(entity, async (message, cancellationToken) =>
        {
            var session = message.Message.SessionId!;
            if (running.AddOrUpdate(session, 1, (_, count) => count + 1) > 1)
            {
                Interlocked.Increment(ref overlapWithinSession);
            }

            var now = Interlocked.Increment(ref concurrent);
            InterlockedMax(ref maxConcurrent, now);
            await Task.Delay(20, cancellationToken);
            var abandon = message.DeliveryCount == 1 && Sequence(message.Message) % 3 == 0;
            if (!abandon)
            {
                var list = seen.GetOrAdd(session, _ => []);
                lock (list)
                {
                    list.Add(Sequence(message.Message));
                }
            }

            Interlocked.Decrement(ref concurrent);
            running.AddOrUpdate(session, 0, (_, count) => count - 1);
            return abandon ? MessageOutcome.Abandon : MessageOutcome.Complete;
        }, new ProcessorOptions { MaxConcurrency = 4 }))
        {
            await Eventually.HoldsAsync(() => seen.Values.Sum(list => list.Count) >= sessions * perSession, Patience, "every message handled");
        }

        Assert.Equal(0, overlapWithinSession);
        Assert.InRange(maxConcurrent, 2, 4);
        foreach (var (session, list) in seen)
        {
            Assert.True(list.SequenceEqual(Enumerable.Range(1, perSession)), $"{session}: {string.Join(",", list)}");
        }
    }

    [Fact]
    public async Task Abandon_TransientFailure_RedeliversWithHigherCountThenCompletes()
    {
        var entity = NewEntity();
        await Publisher.PublishAsync(entity, Message("order-1", 1));
        var counts = new ConcurrentQueue<int>();
        await using (await Processors.StartAsync(entity, (message, _) =>
        {
            counts.Enqueue(message.DeliveryCount);
            return Task.FromResult(message.DeliveryCount < 3 ? MessageOutcome.Abandon : MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => counts.Count >= 3, Patience);
            await Task.Delay(500);
        }

        Assert.Equal([1, 2, 3], counts);
    }

    [Fact]
    public async Task Handle_Throws_AbandonsAndDeliversAgain()
    {
        var entity = NewEntity();
        await Publisher.PublishAsync(entity, Message("order-1", 1));
        var counts = new ConcurrentQueue<int>();
        await using (await Processors.StartAsync(entity, (message, _) =>
        {
            counts.Enqueue(message.DeliveryCount);
            return message.DeliveryCount == 1 ? throw new InvalidOperationException("transient") : Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => counts.Count >= 2, Patience);
        }

        Assert.Equal([1, 2], counts);
    }

    [Fact]
    public async Task Abandon_EveryDelivery_DeadLettersAfterTheLimitWithItsCount()
    {
        var entity = NewEntity();
        var sent = Message("order-1", 1);
        await Publisher.PublishAsync(entity, sent);
        var counts = new ConcurrentQueue<int>();
        await using (await Processors.StartAsync(entity, (message, _) =>
        {
            counts.Enqueue(message.DeliveryCount);
            return Task.FromResult(MessageOutcome.Abandon);
        }, new ProcessorOptions()))
        {
            var dead = await ReadDeadLetterAsync(entity);
            Assert.Equal(sent.MessageId, dead.Message.MessageId);
            Assert.Equal(DeadLetter.MaxDeliveryCountExceeded, dead.Message.ApplicationProperties[DeadLetter.ReasonProperty]);
        }

        Assert.Equal(Enumerable.Range(1, MaxDeliveryCount), counts);
    }

    [Fact]
    public async Task DeadLetter_InvalidMessage_MovesItAtOnceWithReasonAndDescription()
    {
        var entity = NewEntity();
        var sent = Message("order-1", 1);
        await Publisher.PublishAsync(entity, sent);
        var deliveries = 0;
        await using (await Processors.StartAsync(entity, (_, _) =>
        {
            Interlocked.Increment(ref deliveries);
            return Task.FromResult(MessageOutcome.DeadLetter("InvalidMessage", "body is not JSON"));
        }, new ProcessorOptions()))
        {
            var dead = await ReadDeadLetterAsync(entity);
            Assert.Equal(sent.MessageId, dead.Message.MessageId);
            Assert.Equal("InvalidMessage", dead.Message.ApplicationProperties[DeadLetter.ReasonProperty]);
            Assert.Equal("body is not JSON", dead.Message.ApplicationProperties[DeadLetter.DescriptionProperty]);
            Assert.Equal(sent.Body.ToArray(), dead.Message.Body.ToArray());
        }

        Assert.Equal(1, deliveries);
    }

    [Fact]
    public async Task Publish_SameMessageIdTwice_EveryDeliveryCarriesTheIdSoTheHandlerAppliesItOnce()
    {
        var entity = NewEntity();
        var sent = Message("order-1", 1);
        await Publisher.PublishAsync(entity, sent);
        await Publisher.PublishAsync(entity, sent);
        await Publisher.PublishAsync(entity, Message("order-1", 2));
        var applied = new ConcurrentDictionary<string, int>();
        await using (await Processors.StartAsync(entity, (message, _) =>
        {
            applied.TryAdd(message.Message.MessageId, Sequence(message.Message));
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => applied.ContainsKey(Message("order-1", 2).MessageId), Patience);
        }

        Assert.Equal(2, applied.Count);
        Assert.Equal(1, applied[sent.MessageId]);
    }

    [Fact]
    public async Task Publish_WhileNoConsumerRuns_IsDeliveredWhenOneStarts()
    {
        var entity = NewEntity();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await Processors.StartAsync(entity, (_, _) =>
        {
            first.TrySetResult();
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Publisher.PublishAsync(entity, Message("order-1", 1));
            await first.Task.WaitAsync(Patience);
        }

        await Publisher.PublishAsync(entity, Message("order-1", 2));
        await Publisher.PublishAsync(entity, Message("order-1", 3));
        var later = new ConcurrentQueue<int>();
        await using (await Processors.StartAsync(entity, (message, _) =>
        {
            later.Enqueue(Sequence(message.Message));
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => later.Count >= 2, Patience);
        }

        Assert.Equal([2, 3], later);
    }

    [Fact]
    public async Task Dispose_WhileHandlerRuns_LetsItFinishAndSettles()
    {
        var entity = NewEntity();
        await Publisher.PublishAsync(entity, Message("order-1", 1));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        var processor = await Processors.StartAsync(entity, async (_, cancellationToken) =>
        {
            started.TrySetResult();
            await Task.Delay(500, cancellationToken);
            finished = true;
            return MessageOutcome.Complete;
        }, new ProcessorOptions());
        await started.Task.WaitAsync(Patience);
        await processor.DisposeAsync();
        Assert.True(finished);

        var again = 0;
        await using (await Processors.StartAsync(entity, (_, _) =>
        {
            Interlocked.Increment(ref again);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Task.Delay(1500);
        }

        Assert.Equal(0, again);
    }

    [Fact]
    public async Task Publish_WithinActivity_TheHandlerContinuesTheTrace()
    {
        var entity = NewEntity();
        using var recorder = new ActivityRecorder();
        string traceId;
        using (var parent = ActivityRecorder.TestSource.StartActivity("test")!)
        {
            traceId = parent.TraceId.ToString();
            await Publisher.PublishAsync(entity, Message("order-1", 1));
        }

        var handled = new TaskCompletionSource<(string? TraceParent, string? Current)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await Processors.StartAsync(entity, (message, _) =>
        {
            handled.TrySetResult((message.Message.ApplicationProperties.GetValueOrDefault(MessageProperties.TraceParent), Activity.Current?.TraceId.ToString()));
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            var (traceParent, current) = await handled.Task.WaitAsync(Patience);
            Assert.Contains(traceId, traceParent);
            Assert.Equal(traceId, current);
        }
    }

    [Fact]
    public async Task Health_BrokerReachable_IsHealthy()
    {
        await Publisher.PublishAsync(NewEntity(), Message("order-1", 1));
        var result = await Services.GetRequiredService<IMessagingHealth>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    protected async Task<ReceivedMessage> ReadDeadLetterAsync(string entity)
    {
        var dead = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (await Processors.StartAsync(DeadLetter.QueueOf(entity), (message, _) =>
        {
            dead.TrySetResult(message);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions { Sessions = false }))
        {
            return await dead.Task.WaitAsync(Patience);
        }
    }

    protected static TransportMessage Message(string session, int sequence) => new()
    {
        MessageId = $"{session}:{ErpMessageTypes.SalesOrderPosted}:{sequence}",
        SessionId = session,
        Subject = ErpMessageTypes.SalesOrderPosted,
        ApplicationProperties = new Dictionary<string, string> { [MessageProperties.MessageType] = ErpMessageTypes.SalesOrderPosted },
        Body = Encoding.UTF8.GetBytes($$"""{"session":"{{session}}","sequence":{{sequence}}}"""),
    };

    protected static int Sequence(TransportMessage message) => int.Parse(message.MessageId[(message.MessageId.LastIndexOf(':') + 1)..]);

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (current < value)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
