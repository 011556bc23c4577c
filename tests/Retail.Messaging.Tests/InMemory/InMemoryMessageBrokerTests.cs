using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Retail.Contracts.Erp;
using Retail.Messaging.InMemory;

namespace Retail.Messaging.Tests.InMemory;

public sealed class InMemoryMessageBrokerTests
{
    private readonly InMemoryMessageBroker broker = new();

    [Fact]
    public async Task Process_WhenHandlerAbandons_RedeliversWithIncrementedDeliveryCount()
    {
        var counts = new ConcurrentQueue<int>();
        await broker.PublishAsync("orders", Message("m-1"));

        await using (await broker.StartAsync("orders", (received, _) =>
        {
            counts.Enqueue(received.DeliveryCount);
            return Task.FromResult(received.DeliveryCount < 3 ? MessageOutcome.Abandon : MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => broker.Peek("orders").Count == 0);
        }

        Assert.Equal([1, 2, 3], counts);
        Assert.Empty(broker.PeekDeadLetters("orders"));
    }

    [Fact]
    public async Task Process_WhenHandlerThrows_AbandonsTheMessage()
    {
        var counts = new ConcurrentQueue<int>();
        await broker.PublishAsync("orders", Message("m-1"));

        await using (await broker.StartAsync("orders", (received, _) =>
        {
            counts.Enqueue(received.DeliveryCount);
            return received.DeliveryCount == 1 ? throw new InvalidOperationException("transient") : Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => broker.Peek("orders").Count == 0);
        }

        Assert.Equal([1, 2], counts);
    }

    [Fact]
    public async Task Process_WhenAlwaysAbandoned_DeadLettersAfterMaxDeliveries()
    {
        var deliveries = 0;
        await broker.PublishAsync("erp-inbound", Message("poison"));

        await using (await broker.StartAsync("erp-inbound", (_, _) =>
        {
            Interlocked.Increment(ref deliveries);
            return Task.FromResult(MessageOutcome.Abandon);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => broker.PeekDeadLetters("erp-inbound").Count == 1);
            await Task.Delay(200);
        }

        var deadLetter = Assert.Single(broker.PeekDeadLetters("erp-inbound"));
        Assert.Equal(10, deliveries);
        Assert.Equal("poison", deadLetter.Message.MessageId);
        Assert.Equal(DeadLetter.MaxDeliveryCountExceeded, deadLetter.Reason);
        Assert.Equal(10, deadLetter.DeliveryCount);
        Assert.Empty(broker.Peek("erp-inbound"));
    }

    [Fact]
    public async Task Process_WhenHandlerDeadLetters_KeepsReasonAndDescription()
    {
        await broker.PublishAsync("erp-inbound", Message("bad") with { Subject = ErpMessageTypes.ShipmentConfirmed });

        await using (await broker.StartAsync("erp-inbound", (_, _) =>
            Task.FromResult(MessageOutcome.DeadLetter("ValidationFailed", "lines[0].quantity must be positive")), new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => broker.PeekDeadLetters("erp-inbound").Count == 1);
        }

        var deadLetter = Assert.Single(broker.PeekDeadLetters("erp-inbound"));
        Assert.Equal("ValidationFailed", deadLetter.Reason);
        Assert.Equal("lines[0].quantity must be positive", deadLetter.Description);
        Assert.Equal(1, deadLetter.DeliveryCount);
        Assert.Equal(ErpMessageTypes.ShipmentConfirmed, deadLetter.Message.Subject);
    }

    [Fact]
    public async Task Process_DeadLetterQueue_CanBeReadWithAProcessor()
    {
        await broker.PublishAsync("erp-inbound", Message("bad"));
        await using (await broker.StartAsync("erp-inbound", (_, _) => Task.FromResult(MessageOutcome.DeadLetter("Invalid", "no order id")), new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => broker.PeekDeadLetters("erp-inbound").Count == 1);
        }

        var read = new ConcurrentQueue<ReceivedMessage>();
        await using (await broker.StartAsync(DeadLetter.QueueOf("erp-inbound"), (received, _) =>
        {
            read.Enqueue(received);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => !read.IsEmpty);
        }

        var message = Assert.Single(read).Message;
        Assert.Equal("Invalid", message.ApplicationProperties[DeadLetter.ReasonProperty]);
        Assert.Equal("no order id", message.ApplicationProperties[DeadLetter.DescriptionProperty]);
        Assert.Empty(broker.PeekDeadLetters("erp-inbound"));
    }

    [Fact]
    public async Task Process_WithSessions_HandlesEachSessionInOrderOneAtATimeAndSessionsInParallel()
    {
        const int sessions = 6;
        const int perSession = 15;
        for (var sequence = 0; sequence < perSession; sequence++)
        {
            for (var session = 0; session < sessions; session++)
            {
                await broker.PublishAsync("erp-inbound", Message($"s{session}-{sequence}") with { SessionId = $"order-{session}", Subject = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            }
        }

        var handled = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        var active = new ConcurrentDictionary<string, int>();
        var overlapped = false;
        var running = 0;
        var maxRunning = 0;

        await using (await broker.StartAsync("erp-inbound", async (received, cancellationToken) =>
        {
            var session = received.Message.SessionId!;
            overlapped |= active.AddOrUpdate(session, 1, (_, count) => count + 1) > 1;
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            await Task.Delay(Random.Shared.Next(1, 5), cancellationToken);
            var outcome = Random.Shared.Next(5) == 0 && received.DeliveryCount == 1 ? MessageOutcome.Abandon : MessageOutcome.Complete;
            if (outcome is MessageOutcome.Completed)
            {
                handled.GetOrAdd(session, _ => new ConcurrentQueue<int>()).Enqueue(int.Parse(received.Message.Subject!, System.Globalization.CultureInfo.InvariantCulture));
            }

            Interlocked.Decrement(ref running);
            active.AddOrUpdate(session, 0, (_, count) => count - 1);
            return outcome;
        }, new ProcessorOptions { Sessions = true, MaxConcurrency = 4 }))
        {
            await Eventually.HoldsAsync(() => broker.Peek("erp-inbound").Count == 0, TimeSpan.FromSeconds(60));
        }

        Assert.False(overlapped, "two messages of one session were handled at the same time");
        Assert.True(maxRunning > 1, "sessions were not handled in parallel");
        Assert.Equal(sessions, handled.Count);
        Assert.All(handled.Values, sequence => Assert.Equal(Enumerable.Range(0, perSession), sequence));
    }

    [Fact]
    public async Task DisposeAsync_WhileHandlerRuns_LetsItFinishAndStartsNoMore()
    {
        await broker.PublishAsync("orders", Message("first"));
        await broker.PublishAsync("orders", Message("second"));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new ConcurrentQueue<string>();
        var processor = await broker.StartAsync("orders", async (received, _) =>
        {
            started.TrySetResult();
            await release.Task;
            handled.Enqueue(received.Message.MessageId);
            return MessageOutcome.Complete;
        }, new ProcessorOptions { MaxConcurrency = 1 });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = processor.DisposeAsync().AsTask();
        await Task.Delay(100);
        var stoppedEarly = stopping.IsCompleted;
        release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(stoppedEarly);
        Assert.Equal(["first"], handled);
        Assert.Equal(["second"], broker.Peek("orders").Select(message => message.MessageId));
    }

    [Fact]
    public async Task Peek_AfterPublish_ReturnsMessagesInOrderWithCorrelationId()
    {
        await broker.PublishAsync(Entities.RetailEvents, Message("e-1") with { CorrelationId = "corr-1", Subject = "order-1" });
        await broker.PublishAsync(Entities.RetailEvents, Message("e-2") with { Subject = "order-1" });

        var messages = broker.Peek(Entities.RetailEvents);

        Assert.Equal(["e-1", "e-2"], messages.Select(message => message.MessageId));
        Assert.Equal("corr-1", messages[0].ApplicationProperties[MessageProperties.CorrelationId]);
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(messages[0].Body.Span));
    }

    [Fact]
    public async Task Process_ScheduledMessage_IsNotDeliveredBeforeItsTime()
    {
        var delivered = new ConcurrentQueue<DateTimeOffset>();
        var due = DateTimeOffset.UtcNow.AddMilliseconds(700);
        await broker.PublishAsync("orders", Message("later") with { ScheduledEnqueueTime = due });

        await using (await broker.StartAsync("orders", (_, _) =>
        {
            delivered.Enqueue(DateTimeOffset.UtcNow);
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            await Eventually.HoldsAsync(() => !delivered.IsEmpty);
        }

        Assert.True(Assert.Single(delivered) >= due);
    }

    [Fact]
    public async Task Process_PublishedWithinActivity_ContinuesTheTrace()
    {
        using var recorder = new ActivityRecorder();
        ActivityTraceId traceId;
        using (var parent = ActivityRecorder.TestSource.StartActivity("request"))
        {
            traceId = parent!.TraceId;
            await broker.PublishAsync("orders", Message("traced") with { CorrelationId = "corr-9" });
        }

        var seen = new TaskCompletionSource<(string? TraceParent, ActivityTraceId? Current, string? Correlation)>();
        await using (await broker.StartAsync("orders", (received, _) =>
        {
            seen.TrySetResult((received.Message.ApplicationProperties.GetValueOrDefault(MessageProperties.TraceParent), Activity.Current?.TraceId,
                received.Message.ApplicationProperties.GetValueOrDefault(MessageProperties.CorrelationId)));
            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions()))
        {
            var (traceParent, current, correlation) = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Contains(traceId.ToHexString(), traceParent);
            Assert.Equal(traceId, current);
            Assert.Equal("corr-9", correlation);
        }
    }

    private static TransportMessage Message(string id) => new()
    {
        MessageId = id,
        Body = Encoding.UTF8.GetBytes("{\"n\":1}"),
    };

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
