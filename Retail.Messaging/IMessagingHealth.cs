using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Retail.Messaging;

/// <summary>Whether the configured transport can reach its broker; a health check calls it.</summary>
public interface IMessagingHealth
{
    Task<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken = default);
}
