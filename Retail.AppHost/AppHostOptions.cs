namespace Retail.AppHost;

/// <summary>The AppHost's command-line options; every port has a fixed default (README) and can be overridden.</summary>
internal sealed record AppHostOptions
{
    public bool Embedded { get; init; }
    public bool Simulate { get; init; }
    public int ApiPort { get; init; } = 5080;
    public int BridgePort { get; init; } = 5090;
    /// <summary>The first silo's health port; the second silo uses the next one.</summary>
    public int SiloHttpPort { get; init; } = 5100;
    /// <summary>The first silo's Orleans silo port; the second silo uses the next one.</summary>
    public int SiloPort { get; init; } = 11111;
    /// <summary>The first silo's Orleans gateway port; the second silo uses the next one.</summary>
    public int GatewayPort { get; init; } = 30000;
    public int DashboardPort { get; init; } = 8081;
    public int PostgresPort { get; init; } = 5433;
    public int BrokerPort { get; init; } = 5673;
    public int BrokerManagementPort { get; init; } = 15673;
    /// <summary>Use this PostgreSQL instead of starting one.</summary>
    public string? PostgresConnectionString { get; init; }
    /// <summary>Use this RabbitMQ (amqp:// URI) instead of starting one.</summary>
    public string? BrokerUri { get; init; }
    /// <summary>Where endpoints.json is written.</summary>
    public string StateDirectory { get; init; } = ".retail";

    public string EndpointsFile => Path.Combine(StateDirectory, "endpoints.json");
}
