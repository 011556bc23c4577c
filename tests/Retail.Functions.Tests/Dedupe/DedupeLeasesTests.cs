using Microsoft.Extensions.Logging.Abstractions;
using Retail.Contracts.Integration;
using Retail.Functions.Dedupe;
using Retail.Functions.Tests.Fakes;

namespace Retail.Functions.Tests.Dedupe;

public sealed class DedupeLeasesTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private readonly DedupeLeases leases = new(new FakeGrains(), NullLogger<DedupeLeases>.Instance);

    [Fact]
    public async Task TryBeginAsync_WhileAnotherAttemptHoldsTheLease_IsRefusedUntilItIsReleased()
    {
        var first = await leases.TryBeginAsync("erp", "m-1", Lease);

        var concurrent = await leases.TryBeginAsync("erp", "m-1", Lease);
        await first.ReleaseAsync();
        var after = await leases.TryBeginAsync("erp", "m-1", Lease);

        Assert.True(first.Claim.Acquired);
        Assert.False(concurrent.Claim.Acquired);
        Assert.NotEqual(DeliveryStatus.Completed, concurrent.Claim.Status);
        Assert.True(after.Claim.Acquired);
    }

    [Fact]
    public async Task TryBeginAsync_AfterCompletion_AnswersTheFirstOutcomeAndOrder()
    {
        var first = await leases.TryBeginAsync("shopify", "d-1", Lease);
        await first.CompleteAsync("created", "ord-1");

        var duplicate = await leases.TryBeginAsync("shopify", "d-1", Lease);

        Assert.False(duplicate.Claim.Acquired);
        Assert.Equal((DeliveryStatus.Completed, "created", "ord-1"), (duplicate.Claim.Status, duplicate.Claim.Outcome, duplicate.Claim.OrderId));
    }

    [Fact]
    public async Task NoteUnknownOrderAsync_ThenReleased_TheNextAttemptKnowsTheRecordWasRaised()
    {
        var first = await leases.TryBeginAsync("stripe", "e-1", Lease);
        await first.NoteUnknownOrderAsync();
        await first.ReleaseAsync();

        var retry = await leases.TryBeginAsync("stripe", "e-1", Lease);

        Assert.True(retry.Claim.Acquired);
        Assert.True(retry.Claim.UnknownOrderRaised);
    }
}
