using Retail.Contracts;
using Retail.Contracts.Orders;

namespace Retail.Grains.Tests.Orders;

[Collection(ClusterCollection.Name)]
public sealed class OrderIndexGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Claim_OfANewKey_WinsAndLaterClaimsAnswerTheOwner()
    {
        var index = NewIndex();

        Assert.Equal("ord-1", await index.ClaimAsync("ord-1"));
        Assert.Equal("ord-1", await index.ClaimAsync("ord-2"));
        Assert.Equal("ord-1", await index.LookupAsync());
    }

    [Fact]
    public async Task Claim_ByANewActivationOfAClaimedKey_AnswersTheStoredOwner()
    {
        var index = NewIndex();
        await index.ClaimAsync("ord-1");

        await fixture.DeactivateAsync(index);

        Assert.Equal("ord-1", await index.ClaimAsync("ord-2"));
        await fixture.DeactivateAsync(index);
        Assert.Equal("ord-1", await index.LookupAsync());
    }

    [Fact]
    public async Task Lookup_OfAnUnclaimedKey_IsNullAndAClaimAfterItWins()
    {
        var index = NewIndex();

        Assert.Null(await index.LookupAsync());
        Assert.Equal("ord-1", await index.ClaimAsync("ord-1"));
        await fixture.DeactivateAsync(index);
        Assert.Equal("ord-1", await index.LookupAsync());
    }

    [Fact]
    public async Task Claim_WithAnInvalidOrderId_IsRefusedAndClaimsNothing()
    {
        var index = NewIndex();

        var refused = await Assert.ThrowsAsync<RetailValidationException>(() => index.ClaimAsync("not an id!"));

        Assert.Contains("orderId", refused.Errors.Keys);
        Assert.Null(await index.LookupAsync());
    }

    private IOrderIndexGrain NewIndex() =>
        fixture.Grains.GetGrain<IOrderIndexGrain>(OrderIndexKey.For("web", "W-" + Guid.NewGuid().ToString("N")));
}
