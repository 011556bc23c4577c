namespace Retail.Messaging.RabbitMq;

/// <summary>How <see cref="RabbitMqLauncher"/> starts a private RabbitMQ node.</summary>
public sealed class RabbitMqLauncherOptions
{
    /// <summary>The loopback port of the AMQP 1.0 listener; when null a free one is chosen.</summary>
    public int? AmqpPort { get; set; }

    /// <summary>The loopback port of the management HTTP API; when null a free one is chosen.</summary>
    public int? ManagementPort { get; set; }
}
