using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.TestingHost;
using Retail.Grains.Outbox;
using Retail.Grains.Tests.Orders;

namespace Retail.Grains.Tests;

/// <summary>An in-process Orleans test cluster of <paramref name="silos"/> silos configured by <typeparamref name="TConfigurator"/>.</summary>
public abstract class TestClusterFixture<TConfigurator>(short silos) : IAsyncLifetime
    where TConfigurator : ISiloConfigurator, new()
{
    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        foreach (var silo in Cluster.Silos.Cast<InProcessSiloHandle>())
        {
            OutboxSettling.Watch(silo.SiloHost.Services.GetRequiredService<OutboxRelay>());
        }
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>Deactivates <paramref name="grain"/> and waits until no activation of it is left: the next call activates it anew.</summary>
    public async Task DeactivateAsync(IAddressable grain)
    {
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var management = Grains.GetGrain<IManagementGrain>(0);
        Assert.Equal(0, await OrderScenario.EventuallyAsync(() => management.GetGrainActivationCount((GrainReference)grain), count => count == 0));
    }
}

/// <summary>Waits until the outbox relays of the test clusters have delivered everything the grains wrote.</summary>
public static class OutboxSettling
{
    private static readonly System.Collections.Concurrent.ConcurrentBag<OutboxRelay> Relays = [];

    public static void Watch(OutboxRelay relay) => Relays.Add(relay);

    /// <summary>Completes once no silo holds an undelivered effect (effects follow their writes in the background).</summary>
    public static async Task SettledAsync()
    {
        var settled = await OrderScenario.EventuallyAsync(() => Task.FromResult(IsSettled), done => done);
        Assert.True(settled, "the outboxes did not drain");
    }

    /// <summary>The same, for the synchronous readers of what was published.</summary>
    public static void WaitSettled() => Assert.True(SpinWait.SpinUntil(() => IsSettled, OrderScenario.WaitLimit), "the outboxes did not drain");

    private static bool IsSettled => Relays.All(r => r.Backlog.Count == 0);
}
