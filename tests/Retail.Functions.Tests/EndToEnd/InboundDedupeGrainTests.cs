using Retail.Contracts.Integration;

namespace Retail.Functions.Tests.EndToEnd;

[Collection(EmbeddedBridgeCollection.Name)]
public sealed class InboundDedupeGrainTests(EmbeddedBridge bridge)
{
    private IInboundDedupeGrain Grain() => bridge.Grains.GetGrain<IInboundDedupeGrain>(InboundDedupeKey.For("test", Guid.NewGuid().ToString("N")));

    [Fact]
    public async Task TryBegin_WhenFiveCallersRace_GrantsOneLease()
    {
        var grain = Grain();

        var claims = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => grain.TryBeginAsync($"lease-{i}", TimeSpan.FromMinutes(1))));

        Assert.Single(claims, claim => claim.Acquired);
        Assert.All(claims.Where(claim => !claim.Acquired), claim => Assert.Equal(DeliveryStatus.InProgress, claim.Status));
    }

    [Fact]
    public async Task Complete_MakesEveryLaterDeliveryADuplicateWithTheFirstOutcome()
    {
        var grain = Grain();
        await grain.TryBeginAsync("first", TimeSpan.FromMinutes(1));

        await grain.CompleteAsync("first", "order 42 taken in", "order-42");
        var later = await grain.TryBeginAsync("second", TimeSpan.FromMinutes(1));

        Assert.False(later.Acquired);
        Assert.Equal(DeliveryStatus.Completed, later.Status);
        Assert.Equal(("order 42 taken in", "order-42"), (later.Outcome, later.OrderId));
    }

    [Fact]
    public async Task Release_LetsTheNextDeliveryProcessAndCountsTheEarlierAttempt()
    {
        var grain = Grain();
        await grain.TryBeginAsync("first", TimeSpan.FromMinutes(1));

        await grain.ReleaseAsync("first");
        var next = await grain.TryBeginAsync("second", TimeSpan.FromMinutes(1));

        Assert.True(next.Acquired);
        Assert.Equal(1, next.EarlierAttempts);
    }

    [Fact]
    public async Task TryBegin_WhenTheLeaseLapsed_GrantsItToTheNextDelivery()
    {
        var grain = Grain();
        await grain.TryBeginAsync("crashed", TimeSpan.FromMilliseconds(200));

        await EmbeddedBridge.EventuallyAsync(async () => (await grain.GetAsync()).Status == DeliveryStatus.Unseen, "the lease to lapse");
        var next = await grain.TryBeginAsync("next", TimeSpan.FromMinutes(1));

        Assert.True(next.Acquired);
    }

    [Fact]
    public async Task TryBegin_WhenLeaseDurationIsNotPositive_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Grain().TryBeginAsync("x", TimeSpan.Zero));
    }
}
