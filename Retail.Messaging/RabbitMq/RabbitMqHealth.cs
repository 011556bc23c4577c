using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Retail.Messaging.RabbitMq;

/// <summary>Healthy while the connection is open; a closed or never opened connection is tried once.</summary>
internal sealed class RabbitMqHealth(RabbitMqConnection connection) : IMessagingHealth
{
    public async Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var broker = await connection.GetAsync(cancellationToken);
            return broker.IsOpen
                ? HealthCheckResult.Healthy($"RabbitMQ {broker.Endpoint.HostName}:{broker.Endpoint.Port} connected.")
                : HealthCheckResult.Unhealthy($"RabbitMQ {broker.Endpoint.HostName}:{broker.Endpoint.Port}: connection lost, recovering.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("RabbitMQ cannot be reached.", exception);
        }
    }
}
