using Amqp;
using Amqp.Sasl;

namespace Retail.Messaging.Amqp;

/// <summary>Where and how to connect: host, port, TLS and the SASL mechanism.</summary>
internal sealed record AmqpEndpoint(string Host, int Port, bool UseTls, string? User = null, string? Password = null)
{
    public static AmqpEndpoint Parse(string connectionString)
    {
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new ArgumentException("The broker connection string must look like amqp://user:pass@host:port.", nameof(connectionString));
        }

        var userInfo = uri.UserInfo.Split(':', 2);
        var useTls = uri.Scheme == "amqps";
        return new AmqpEndpoint(
            uri.Host,
            uri.IsDefaultPort || uri.Port < 0 ? (useTls ? 5671 : 5672) : uri.Port,
            useTls,
            userInfo[0].Length > 0 ? Uri.UnescapeDataString(userInfo[0]) : null,
            userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : null);
    }

    public Address ToAddress() => new(Host, Port, User, Password, "/", UseTls ? "AMQPS" : "AMQP");

    /// <summary>SASL PLAIN when a user is given, otherwise ANONYMOUS (claims-based security follows on $cbs).</summary>
    public ConnectionFactory CreateFactory()
    {
        var factory = new ConnectionFactory();
        factory.AMQP.ContainerId = "retail-" + Environment.MachineName + "-" + Guid.NewGuid().ToString("N")[..8];
        factory.AMQP.IdleTimeout = 60_000;
        if (User is null)
        {
            factory.SASL.Profile = SaslProfile.Anonymous;
        }

        return factory;
    }

    public override string ToString() => $"{(UseTls ? "amqps" : "amqp")}://{Host}:{Port}";
}
