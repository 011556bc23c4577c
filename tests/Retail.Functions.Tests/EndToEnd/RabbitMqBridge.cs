using Retail.Messaging.RabbitMq;

namespace Retail.Functions.Tests.EndToEnd;

/// <summary>
/// The embedded bridge over a real RabbitMQ node (AMQP 1.0), started once per test run by the messaging project's
/// launcher; the bridge's messaging declares the topology at start-up.
/// </summary>
public sealed class RabbitMqBridge : EmbeddedBridge
{
    private RabbitMqLauncher? launcher;

    protected override async Task<IDictionary<string, string?>> StartTransportAsync()
    {
        launcher = await RabbitMqLauncher.StartAsync();
        return new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:retail-broker"] = launcher.ConnectionString,
            ["Messaging:RabbitMq:ManagementUri"] = launcher.ManagementUri.ToString(),
        };
    }

    protected override async Task StopTransportAsync()
    {
        if (launcher is not null)
        {
            await launcher.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RabbitMqBridgeCollection : ICollectionFixture<RabbitMqBridge>
{
    public const string Name = "embedded bridge over RabbitMQ";
}
