using Retail.Messaging;

namespace Retail.Tools.Simulation;

/// <summary>The simulated ERP's own connection to the running app's broker.</summary>
internal sealed class SimulationMessaging(ServiceProvider services) : IAsyncDisposable
{
    public IMessagePublisher Publisher => services.GetRequiredService<IMessagePublisher>();

    public IMessageProcessorFactory Processors => services.GetRequiredService<IMessageProcessorFactory>();

    /// <summary>The transport the services use, from the same configuration the AppHost gives them.</summary>
    public static SimulationMessaging ForBroker(IConfiguration configuration)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddRetailMessaging(configuration);
        return new SimulationMessaging(services.BuildServiceProvider());
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
