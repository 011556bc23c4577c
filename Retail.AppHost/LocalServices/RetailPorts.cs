using Microsoft.Extensions.Configuration;
namespace Retail.AppHost.LocalServices;

/// <summary>The ports Retail listens on locally (README), each overridable as <c>Ports:{Name}</c>.</summary>
public sealed record RetailPorts
{
    public int Api { get; init; } = 5080;
    public int Bridge { get; init; } = 5090;
    public int Silo { get; init; } = 5100;
    public int OrleansDashboard { get; init; } = 8081;
    public int Postgres { get; init; } = 5433;
    public int Broker { get; init; } = 5673;
    public int BrokerManagement { get; init; } = 15673;
    /// <summary>The private RabbitMQ's own Erlang port mapper (epmd), so it needs none of the machine's.</summary>
    public int BrokerPortMapper { get; init; } = 5674;
    /// <summary>The private RabbitMQ node's Erlang distribution port.</summary>
    public int BrokerDistribution { get; init; } = 25673;

    public static RetailPorts From(IConfiguration configuration) => configuration.GetSection("Ports").Get<RetailPorts>() ?? new RetailPorts();
}
