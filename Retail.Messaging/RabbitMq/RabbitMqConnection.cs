using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;

namespace Retail.Messaging.RabbitMq;

/// <summary>
/// The process's one RabbitMQ connection (the <see cref="IConnection"/> registered by Aspire.RabbitMQ.Client, or by
/// <see cref="MessagingServiceCollectionExtensions"/> without a host builder), opened on first use so that a host
/// starts while the broker is down. RabbitMQ.Client recovers it, its channels, consumers and declared topology
/// after a connection loss.
/// </summary>
internal sealed class RabbitMqConnection(IServiceProvider services) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private IConnection? connection;

    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (connection is { } open)
        {
            return open;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            return connection ??= await Task.Run(services.GetRequiredService<IConnection>, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
