using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Retail.Messaging.Amqp;

/// <summary>Healthy when every transport's connection is up (connecting if needed within the check's time).</summary>
internal sealed class AmqpMessagingHealth(IReadOnlyList<AmqpConnectionManager> connections) : IMessagingHealth
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    public async Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        foreach (var connection in connections)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CheckTimeout);
            try
            {
                await connection.GetAsync(timeout.Token);
                data[connection.Dialect.SystemName] = connection.Dialect.Endpoint.ToString();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"{connection.Dialect.SystemName} at {connection.Dialect.Endpoint} is not reachable within {CheckTimeout}.", data: data);
            }
        }

        return HealthCheckResult.Healthy("Connected.", data);
    }
}
