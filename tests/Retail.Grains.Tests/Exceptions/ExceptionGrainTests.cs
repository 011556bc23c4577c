using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.Contracts.Exceptions;

namespace Retail.Grains.Tests.Exceptions;

[Collection(ClusterCollection.Name)]
public sealed class ExceptionGrainTests(ClusterFixture fixture)
{
    private IExceptionGrain Of(string recordId) => fixture.Grains.GetGrain<IExceptionGrain>(ExceptionKey.OfRecord(recordId)!);

    [Fact]
    public async Task Raise_RepeatedWhileOpen_CountsAttemptsOnOneRecord()
    {
        var key = NewKey();

        var first = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.InventoryVariance, BusinessKey = key, Reason = "counted 3" });
        var second = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.InventoryVariance, BusinessKey = key, Reason = "counted 2" });

        Assert.Equal(first.Id, second.Id);
        Assert.Equal((2, "counted 2", ExceptionStatus.Open), (second.Attempts, second.Reason, second.Status));
        Assert.Equal(ExceptionKey.RecordId(ExceptionKinds.InventoryVariance, ExceptionKey.For(key), 1), first.Id);
        var raised = Events(first.Id);
        Assert.Equal([EventTypes.ExceptionRaised], raised.Select(e => e.Type));
        Assert.Equal(EventSources.Exceptions, raised[0].Source);
    }

    [Fact]
    public async Task Raise_AfterResolve_OpensANewRecord()
    {
        var key = NewKey();
        var first = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.UnknownOrder, BusinessKey = key, Reason = "no order" });
        await Of(first.Id).ResolveAsync(first.Id, "ignored");

        var second = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.UnknownOrder, BusinessKey = key, Reason = "no order again" });

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(1, second.Attempts);
        Assert.Equal([EventTypes.ExceptionRaised, EventTypes.ExceptionResolved], Events(first.Id).Select(e => e.Type));
    }

    [Fact]
    public async Task Raise_ManyKindsOnOneKey_KeepsThemInTheKeysGrainOldestFirst()
    {
        var key = NewKey();

        var backordered = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.Backordered, BusinessKey = key, Reason = "sold out" });
        var timeout = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.PaymentTimeout, BusinessKey = key, Reason = "no payment" });

        Assert.Equal(ExceptionKey.OfRecord(backordered.Id), ExceptionKey.OfRecord(timeout.Id));
        Assert.Equal(ExceptionKey.For(key), ExceptionKey.OfRecord(backordered.Id));
        var records = await fixture.Grains.GetGrain<IExceptionGrain>(ExceptionKey.For(key)).ListAsync();
        Assert.Equal([backordered.Id, timeout.Id], records.Select(r => r.Id));
    }

    [Fact]
    public async Task Retry_DeadLetter_ResubmitsTheOriginalMessageToItsEntityAndCountsTheAttempt()
    {
        var messageId = NewKey();
        var sessionId = NewKey();
        var record = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise
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

        var retried = await Of(record.Id).RetryAsync(record.Id);

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
        var record = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.InventoryVariance, BusinessKey = NewKey(), Reason = "counted 3" });

        var error = await Assert.ThrowsAsync<RetailException>(() => Of(record.Id).RetryAsync(record.Id));

        Assert.Equal(ProblemCodes.InvalidTransition, error.Code);
        Assert.Equal(1, (await Of(record.Id).GetAsync(record.Id))!.Attempts);
    }

    [Fact]
    public async Task ResolveAndResolveFor_CloseTheRecordOnce()
    {
        var key = NewKey();
        var record = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.Backordered, BusinessKey = key, Reason = "no stock" });

        await fixture.Grains.ResolveExceptionAsync(ExceptionKinds.Backordered, key, "stock arrived");
        var again = await Of(record.Id).ResolveAsync(record.Id, "other words");
        await fixture.Grains.ResolveExceptionAsync(ExceptionKinds.Backordered, key, "nothing open");

        Assert.Equal((ExceptionStatus.Resolved, "stock arrived"), (again.Status, again.Resolution));
        Assert.Single(Events(record.Id), e => e.Type == EventTypes.ExceptionResolved);
    }

    [Fact]
    public async Task Raise_ListsTheRecordWhereItsStateIsStored()
    {
        var key = NewKey();

        var record = await fixture.Grains.RaiseExceptionAsync(new ExceptionToRaise { Kind = ExceptionKinds.UnknownSku, BusinessKey = key, Reason = "no such sku", Root = key });

        var query = new ExceptionQuery { Kind = ExceptionKinds.UnknownSku, Root = key };
        var listed = await Task.WhenAll(fixture.Cluster.Silos.Cast<InProcessSiloHandle>()
            .Select(silo => silo.SiloHost.Services.GetRequiredService<IExceptionProjection>().ListAsync(query)));
        Assert.Equal([record], listed.SelectMany(records => records));
    }

    [Fact]
    public async Task Operations_OnAnUnknownId_AnswerExceptionNotFound()
    {
        var grain = fixture.Grains.GetGrain<IExceptionGrain>(ExceptionKey.For(NewKey()));

        var retry = await Assert.ThrowsAsync<RetailException>(() => grain.RetryAsync("nope-1"));
        var resolve = await Assert.ThrowsAsync<RetailException>(() => grain.ResolveAsync("nope-1", "x"));

        Assert.Equal(ProblemCodes.ExceptionNotFound, retry.Code);
        Assert.Equal(ProblemCodes.ExceptionNotFound, resolve.Code);
        Assert.Null(await grain.GetAsync("nope-1"));
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static List<RetailEvent> Events(string exceptionId)
    {
        OutboxSettling.WaitSettled();
        return ClusterFixture.Published.For(Entities.RetailEvents, exceptionId).Select(m => RetailEvent.Parse(RecordingPublisher.BodyOf(m))).ToList();
    }
}
