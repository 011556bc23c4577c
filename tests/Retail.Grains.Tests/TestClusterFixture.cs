using Orleans.Core.Internal;
using Orleans.TestingHost;
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
