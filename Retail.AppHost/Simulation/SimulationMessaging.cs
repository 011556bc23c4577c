using Retail.Messaging;

namespace Retail.AppHost.Simulation;

/// <summary>The simulated ERP's own connection to the running app's broker.</summary>
internal sealed class SimulationMessaging(ServiceProvider services) : IAsyncDisposable
{
    public IMessagePublisher Publisher => services.GetRequiredService<IMessagePublisher>();

    public IMessageProcessorFactory Processors => services.GetRequiredService<IMessageProcessorFactory>();

    /// <summary>Connects to <paramref name="brokerUri"/> (AMQP 0-9-1).</summary>
    public static SimulationMessaging ForBroker(string brokerUri)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:messaging"] = brokerUri,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddRetailMessaging(configuration);
        return new SimulationMessaging(services.BuildServiceProvider());
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
