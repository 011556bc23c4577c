using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using Retail.Messaging;
using Retail.Silo;

namespace Retail.Grains.Tests;

/// <summary>
/// A test silo composed as production composes one (<see cref="RetailOrleansHosting.AddRetailGrains"/>) on
/// <see cref="Settings"/>, with the messages its outbox publishes recorded by <see cref="Publisher"/>. A grain storage the
/// settings name a provider for (<c>Orleans:GrainStorage:{name}:ProviderType</c>) is that provider's, the others are in
/// memory. The settings are the silo host's own configuration, which Orleans reads the silo's providers from as it builds
/// the silo; the cluster's client, which would apply them as well, does not share them.
/// </summary>
public abstract class TestSiloConfigurator : IHostConfigurator, ISiloConfigurator
{
    protected abstract IEnumerable<KeyValuePair<string, string?>> Settings { get; }

    protected abstract RecordingPublisher Publisher { get; }

    public void Configure(IHostBuilder hostBuilder) =>
        hostBuilder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(Settings));

    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddRetailGrains(siloBuilder.Configuration);
        siloBuilder.Services.AddSingleton<IMessagePublisher>(Publisher);
    }

    /// <summary>The setting that stores the states of grain storage <paramref name="name"/> with the provider type <paramref name="providerType"/>.</summary>
    protected static KeyValuePair<string, string?> GrainStorage(string name, string providerType) =>
        new($"Orleans:GrainStorage:{name}:ProviderType", providerType);
}

/// <summary>
/// A grain storage provider type of the test clusters, registered with <see cref="RegisterProviderAttribute"/> and
/// selected by <c>Orleans:GrainStorage:{name}:ProviderType</c> as production's providers are.
/// </summary>
public abstract class TestGrainStorageProvider : IProviderBuilder<ISiloBuilder>
{
    public void Configure(ISiloBuilder builder, string? name, IConfigurationSection configurationSection)
    {
        ArgumentNullException.ThrowIfNull(name);
        builder.Services.AddGrainStorage(name, (services, _) => Create(services));
    }

    protected abstract IGrainStorage Create(IServiceProvider services);
}
