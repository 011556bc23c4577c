using Microsoft.Extensions.Hosting;

namespace Retail.Messaging.RabbitMq;

/// <summary>Declares the RabbitMQ topology when the host starts, so the queues exist before anyone publishes.</summary>
internal sealed class RabbitMqTopologyInitializer(RabbitMqTopology topology) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => topology.DeclareAllAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
