using Retail.Testing.RabbitMq;

namespace Retail.Postgres.Tests.Outbox;

/// <summary>A private RabbitMQ node for the outbox tests, started from the machine's binaries.</summary>
public sealed class RabbitMqNodeFixture : IAsyncLifetime
{
    private RabbitMqNode? node;

    public RabbitMqNode Node => node ?? throw new InvalidOperationException("The RabbitMQ node has not started.");

    public async Task InitializeAsync() => node = await RabbitMqNode.StartAsync();

    public async Task DisposeAsync()
    {
        if (node is not null)
        {
            await node.DisposeAsync();
        }
    }
}
