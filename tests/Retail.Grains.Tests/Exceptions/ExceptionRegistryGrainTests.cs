using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;

namespace Retail.Grains.Tests.Exceptions;

[Collection(ClusterCollection.Name)]
public sealed class ExceptionRegistryGrainTests(ClusterFixture fixture)
{
    private IExceptionRegistryGrain Registry => fixture.Grains.GetGrain<IExceptionRegistryGrain>(IExceptionRegistryGrain.Key);

    [Fact]
    public async Task Raise_RepeatedWhileOpen_CountsAttemptsOnOneRecord()
    {
        var key = NewKey();

        var first = await Registry.RaiseAsync(new ExceptionToRaise { Kind = ExceptionKinds.InventoryVariance, BusinessKey = key, Reason = "counted 3" });
        var second = await Registry.RaiseAsync(new ExceptionToRaise { Kind = ExceptionKinds.InventoryVariance, BusinessKey = key, Reason = "counted 2" });

        Assert.Equal(first.Id, second.Id);
        Assert.Equal((2, "counted 2", ExceptionStatus.Open), (second.Attempts, second.Reason, second.Status));
        Assert.StartsWith($"{ExceptionKinds.InventoryVariance}-", first.Id, StringComparison.Ordinal);
        var raised = Events(first.Id);
        Assert.Equal([EventTypes.ExceptionRaised], raised.Select(e => e.Type));
        Assert.Equal(EventSources.Exceptions, raised[0].Source);
    }

    [Fact]
    public async Task Raise_AfterResolve_OpensANewRecord()
    {
        var key = NewKey();
        var first = await Registry.RaiseAsync(new ExceptionToRaise { Kind = ExceptionKinds.UnknownOrder, BusinessKey = key, Reason = "no order" });
        await Registry.ResolveAsync(first.Id, "ignored");

        var second = await Registry.RaiseAsync(new ExceptionToRaise { Kind = ExceptionKinds.UnknownOrder, BusinessKey = key, Reason = "no order again" });

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(1, second.Attempts);
        Assert.Equal([EventTypes.ExceptionRaised, EventTypes.ExceptionResolved], Events(first.Id).Select(e => e.Type));
    }

    [Fact]
    public async Task List_OldestFirstWithKindFilterAndKeysetPaging()
    {
        var kind = $"Test{Guid.NewGuid():N}";
        var raised = new List<ExceptionRecord>();
        for (var i = 0; i < 5; i++)
        {
            raised.Add(await Registry.RaiseAsync(new ExceptionToRaise { Kind = kind, BusinessKey = NewKey(), Reason = $"r{i}" }));
        }
        await Registry.ResolveAsync(raised[1].Id, "done");

        var page1 = await Registry.ListAsync(new ExceptionQuery { Kind = kind, Limit = 2 });
        var page2 = await Registry.ListAsync(new ExceptionQuery { Kind = kind, Limit = 2, After = page1[^1].Id });
        var all = await Registry.ListAsync(new ExceptionQuery { Kind = kind, Status = null, Limit = 10 });

        Assert.Equal([raised[0].Id, raised[2].Id], page1.Select(r => r.Id));
        Assert.Equal([raised[3].Id, raised[4].Id], page2.Select(r => r.Id));
        Assert.Equal(raised.Select(r => r.Id), all.Select(r => r.Id));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.CreatedAt <= p.Second.CreatedAt));
    }

    [Fact]
    public async Task Retry_DeadLetter_ResubmitsTheOriginalMessageToItsEntityAndCountsTheAttempt()
    {
        var messageId = NewKey();
        var sessionId = NewKey();
        var record = await Registry.RaiseAsync(new ExceptionToRaise
        {
            Kind = ExceptionKinds.DeadLetter,
            BusinessKey = messageId,
            Reason = "order not found",
            Message = new DeadLetteredMessage
            {
                Entity = Entities.ErpInbound,
                MessageId = messageId,
                SessionId = sessionId,
                MessageType = ErpMessageTypes.ShipmentConfirmed,
                Body = """{"orderId":"o-1","shipmentId":"s-1"}""",
                CorrelationId = "corr-dl",
                Description = "order not found",
            },
        });

        var retried = await Registry.RetryAsync(record.Id);

        Assert.Equal((2, ExceptionStatus.Open), (retried.Attempts, retried.Status));
        await OutboxSettling.SettledAsync();
        var sent = Assert.Single(ClusterFixture.Published.For(Entities.ErpInbound, sessionId));
        Assert.Equal(messageId, sent.MessageId);
        Assert.Equal(ErpMessageTypes.ShipmentConfirmed, sent.ApplicationProperties[MessageProperties.MessageType]);
        Assert.Equal("""{"orderId":"o-1","shipmentId":"s-1"}""", RecordingPublisher.BodyOf(sent));
        Assert.Equal("corr-dl", sent.CorrelationId);
    }

    [Fact]
    public async Task Retry_InventoryVariance_IsRefusedAsNothingCanBeReRun()
    {
        var record = await Registry.RaiseAsync(new ExceptionToRaise { Kind = ExceptionKinds.InventoryVariance, BusinessKey = NewKey(), Reason = "counted 3" });

        var error = await Assert.ThrowsAsync<RetailException>(() => Registry.RetryAsync(record.Id));

        Assert.Equal(ProblemCodes.InvalidTransition, error.Code);
        Assert.Equal(1, (await Registry.GetAsync(record.Id))!.Attempts);
    }

    [Fact]
    public async Task ResolveAndResolveFor_CloseTheRecordOnce()
    {
        var key = NewKey();
        var record = await Registry.RaiseAsync(new ExceptionToRaise { Kind = ExceptionKinds.Backordered, BusinessKey = key, Reason = "no stock" });

        await Registry.ResolveForAsync(ExceptionKinds.Backordered, key, "stock arrived");
        var again = await Registry.ResolveAsync(record.Id, "other words");
        await Registry.ResolveForAsync(ExceptionKinds.Backordered, key, "nothing open");

        Assert.Equal((ExceptionStatus.Resolved, "stock arrived"), (again.Status, again.Resolution));
        Assert.Single(Events(record.Id), e => e.Type == EventTypes.ExceptionResolved);
    }

    [Fact]
    public async Task Operations_OnAnUnknownId_AnswerExceptionNotFound()
    {
        var retry = await Assert.ThrowsAsync<RetailException>(() => Registry.RetryAsync("nope-1"));
        var resolve = await Assert.ThrowsAsync<RetailException>(() => Registry.ResolveAsync("nope-1", "x"));

        Assert.Equal(ProblemCodes.ExceptionNotFound, retry.Code);
        Assert.Equal(ProblemCodes.ExceptionNotFound, resolve.Code);
        Assert.Null(await Registry.GetAsync("nope-1"));
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static List<RetailEvent> Events(string exceptionId)
    {
        OutboxSettling.WaitSettled();
        return ClusterFixture.Published.For(Entities.RetailEvents, exceptionId).Select(m => RetailEvent.Parse(RecordingPublisher.BodyOf(m))).ToList();
    }
}
