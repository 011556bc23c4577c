using Orleans.TestingHost;

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
}
