using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Retail.Messaging.Tests.RabbitMq;

/// <summary>What only a real broker shows: a restart in the middle of traffic, and a consumer handing over to another process.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqBrokerTests(RabbitMqFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task BrokerRestart_MidTraffic_LosesNothingAppliesNothingTwiceKeepsSessionOrder()
    {
        var entity = "restart-" + Guid.NewGuid().ToString("N")[..8];
        const int sessions = 16, perSession = 60;
        var publisher = (await fixture.StartHostAsync()).GetRequiredService<IMessagePublisher>();
        var consumer = (await fixture.StartHostAsync()).GetRequiredService<IMessageProcessorFactory>();
        var applied = new ConcurrentDictionary<string, int>();
        var order = new ConcurrentDictionary<string, List<int>>();
        var deliveries = 0;
        var duplicatesApplied = 0;
        var sent = 0;
        await using var processor = await consumer.StartAsync(entity, (message, _) =>
        {
            Interlocked.Increment(ref deliveries);
            if (applied.AddOrUpdate(message.Message.MessageId, 1, (_, count) => count + 1) > 1)
            {
                return Task.FromResult(MessageOutcome.Complete);
            }

            var list = order.GetOrAdd(message.Message.SessionId!, _ => []);
            lock (list)
            {
                list.Add(int.Parse(message.Message.MessageId.Split(':')[1]));
            }

            return Task.FromResult(MessageOutcome.Complete);
        }, new ProcessorOptions { MaxConcurrency = 8 });

        var publishing = Task.WhenAll(Enumerable.Range(0, sessions).Select(session => Task.Run(async () =>
        {
            for (var sequence = 1; sequence <= perSession; sequence++)
            {
                await publisher.PublishAsync(entity, new TransportMessage
                {
                    MessageId = $"s{session}:{sequence}",
                    SessionId = $"s{session}",
                    Body = Encoding.UTF8.GetBytes("{}"),
                });
                Interlocked.Increment(ref sent);
                await Task.Delay(100);
            }
        })));

        await Eventually.HoldsAsync(() => applied.Count >= sessions * perSession / 5, Patience, "a fifth handled before the restart");
        await fixture.Node.StopAsync();
        var sentWhileDown = Volatile.Read(ref sent);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await fixture.Node.StartAgainAsync();
        await publishing.WaitAsync(Patience);
        await Eventually.HoldsAsync(() => applied.Count >= sessions * perSession, Patience, "every message handled after the restart");
        await Task.Delay(TimeSpan.FromSeconds(2));

        duplicatesApplied = order.Values.Sum(list => list.Count) - applied.Count;
        var lost = sent - applied.Count;
        output.WriteLine(
            $"sent {sent} (confirmed; {sentWhileDown} before the stop), received {applied.Count} distinct in {deliveries} deliveries "
            + $"({deliveries - applied.Count} redelivered), duplicates applied {duplicatesApplied}, lost {lost}");
        Assert.Equal(sessions * perSession, sent);
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicatesApplied);
        foreach (var (session, list) in order)
        {
            Assert.True(list.SequenceEqual(Enumerable.Range(1, perSession)), $"{session}: {string.Join(",", list)}");
        }
    }

    [Fact]
    public async Task ConsumerStops_AnotherProcessTakesOver_EachSessionContinuesInOrder()
    {
        var entity = "handover-" + Guid.NewGuid().ToString("N")[..8];
        const int sessions = 6, perSession = 20;
        var publisher = (await fixture.StartHostAsync()).GetRequiredService<IMessagePublisher>();
        var order = new ConcurrentDictionary<string, List<int>>();
        var handledBy = new ConcurrentDictionary<string, int>();
        MessageHandler Handler(string name) => async (message, cancellationToken) =>
        {
            await Task.Delay(10, cancellationToken);
            var list = order.GetOrAdd(message.Message.SessionId!, _ => []);
            lock (list)
            {
                list.Add(int.Parse(message.Message.MessageId.Split(':')[1]));
            }

            handledBy.AddOrUpdate(name, 1, (_, count) => count + 1);
            return MessageOutcome.Complete;
        };

        var first = await (await fixture.StartHostAsync()).GetRequiredService<IMessageProcessorFactory>().StartAsync(entity, Handler("first"), new ProcessorOptions());
        await using var second = await (await fixture.StartHostAsync()).GetRequiredService<IMessageProcessorFactory>().StartAsync(entity, Handler("second"), new ProcessorOptions());
        for (var sequence = 1; sequence <= perSession; sequence++)
        {
            for (var session = 0; session < sessions; session++)
            {
                await publisher.PublishAsync(entity, new TransportMessage { MessageId = $"h{session}:{sequence}", SessionId = $"h{session}", Body = Encoding.UTF8.GetBytes("{}") });
            }
        }

        await Eventually.HoldsAsync(() => order.Values.Sum(list => list.Count) >= sessions * perSession / 4, Patience);
        await first.DisposeAsync();
        await Eventually.HoldsAsync(() => order.Values.Sum(list => list.Count) >= sessions * perSession, Patience);

        Assert.True(handledBy.GetValueOrDefault("first") > 0 && handledBy.GetValueOrDefault("second") > 0, string.Join(", ", handledBy));
        foreach (var (session, list) in order)
        {
            Assert.True(list.SequenceEqual(Enumerable.Range(1, perSession)), $"{session}: {string.Join(",", list)}");
        }
    }
}
