using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Retail.Messaging.Azure;

/// <summary>
/// The outcome of the last Service Bus operation (send, receive, settle, lock renewal): the SDK has no call that
/// checks a namespace without sending or receiving, so health is what the app last saw. The event hub is asked
/// for its properties.
/// </summary>
internal sealed class AzureHealth
{
    private Exception? lastFailure;

    public void Succeeded() => lastFailure = null;

    public void Failed(Exception exception) => lastFailure = exception;

    public async Task<HealthCheckResult> CheckAsync(AzureClients clients, CancellationToken cancellationToken)
    {
        if (clients.ServiceBus.IsClosed)
        {
            return HealthCheckResult.Unhealthy("The Service Bus client is closed.");
        }

        if (lastFailure is { } failure)
        {
            return HealthCheckResult.Unhealthy($"The last Service Bus operation on {clients.ServiceBus.FullyQualifiedNamespace} failed.", failure);
        }

        if (clients.EventHubProducer is { } producer)
        {
            try
            {
                var properties = await producer.GetEventHubPropertiesAsync(cancellationToken);
                return HealthCheckResult.Healthy(
                    $"Service Bus {clients.ServiceBus.FullyQualifiedNamespace}; event hub {properties.Name} with {properties.PartitionIds.Length} partitions.");
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy($"Event hub {clients.EventHubName} on {producer.FullyQualifiedNamespace} cannot be reached.", exception);
            }
        }

        return HealthCheckResult.Healthy($"Service Bus {clients.ServiceBus.FullyQualifiedNamespace}.");
    }
}

/// <summary><see cref="IMessagingHealth"/> of the Azure transport.</summary>
internal sealed class AzureMessagingHealth(AzureClients clients) : IMessagingHealth
{
    public Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default) =>
        clients.Health.CheckAsync(clients, cancellationToken);
}
