namespace Retail.AppHost.Orchestration;

/// <summary>How <see cref="RabbitMqLauncher"/> starts a private RabbitMQ node.</summary>
internal sealed class RabbitMqLauncherOptions
{
    /// <summary>The loopback port of the AMQP listener; when null a free one is chosen.</summary>
    public int? AmqpPort { get; set; }

    /// <summary>The loopback port of the management HTTP API; when null a free one is chosen.</summary>
    public int? ManagementPort { get; set; }
}
