using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Retail.Messaging.RabbitMq;

/// <summary>Declares the configured entities at start-up, retrying in the background while the broker is down.</summary>
internal sealed partial class RabbitMqTopologyInitializer(
    RabbitMqTopology topology, RabbitMqOptions options, TimeProvider time, ILogger<RabbitMqTopologyInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        foreach (var entity in options.Entities)
        {
            while (true)
            {
                try
                {
                    await topology.EnsureDeclaredAsync(entity, stoppingToken);
                    break;
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogDeclareFailed(logger, exception, entity, delay);
                    await Task.Delay(delay, time, stoppingToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                }
            }
        }
    }

    [LoggerMessage(EventId = 2207, Level = LogLevel.Warning, Message = "Declaring the RabbitMQ topology of {Entity} failed; retrying in {Delay}")]
    private static partial void LogDeclareFailed(ILogger logger, Exception exception, string entity, TimeSpan delay);
}
