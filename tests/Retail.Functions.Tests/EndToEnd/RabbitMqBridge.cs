using Retail.Testing.RabbitMq;

namespace Retail.Functions.Tests.EndToEnd;

/// <summary>
/// The embedded bridge over a real RabbitMQ node (AMQP 0-9-1), started once per test run; the bridge's messaging
/// declares the topology at start-up.
/// </summary>
public sealed class RabbitMqBridge : EmbeddedBridge
{
    private RabbitMqNode? launcher;

    protected override async Task<IDictionary<string, string?>> StartTransportAsync()
    {
        launcher = await RabbitMqNode.StartAsync();
        return new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:messaging"] = launcher.ConnectionString,
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
