using Retail.AppHost.Orchestration;
using System.CommandLine;
using Retail.AppHost.Erp;

namespace Retail.AppHost;

/// <summary>The command line: run the app (default), or talk to it as the ERP would (<c>erp ...</c>).</summary>
internal static class AppHostCommand
{
    public static RootCommand Create()
    {
        var defaults = new AppHostOptions();
        var embedded = new Option<bool>("--embedded") { Description = "Run everything in one process on in-memory storage and transport." };
        var simulate = new Option<bool>("--simulate") { Description = "Drive realistic traffic: Shopify orders, Stripe payments, POS sales and an ERP." };
        var apiPort = Port("--api-port", "the API and /ops", defaults.ApiPort);
        var bridgePort = Port("--bridge-port", "the webhook bridge", defaults.BridgePort);
        var siloHttpPort = Port("--silo-http-port", "the first silo's health endpoint (the second uses the next port)", defaults.SiloHttpPort);
        var siloPort = Port("--silo-port", "the first silo's Orleans silo port (the second uses the next port)", defaults.SiloPort);
        var gatewayPort = Port("--gateway-port", "the first silo's Orleans gateway port (the second uses the next port)", defaults.GatewayPort);
        var dashboardPort = Port("--dashboard-port", "the Orleans dashboard", defaults.DashboardPort);
        var postgresPort = Port("--postgres-port", "the private PostgreSQL", defaults.PostgresPort);
        var brokerPort = Port("--broker-port", "the private RabbitMQ's AMQP listener", defaults.BrokerPort);
        var managementPort = Port("--broker-management-port", "the private RabbitMQ's management API", defaults.BrokerManagementPort);
        var postgres = new Option<string?>("--postgres") { Description = "Use this PostgreSQL connection string instead of starting a private instance." };
        var broker = new Option<string?>("--broker") { Description = "Use this RabbitMQ AMQP URI (amqp://user:pass@host:port) instead of starting a private instance." };
        // Relative to the repository, not the working directory: `dotnet run` runs the AppHost in its project folder.
        var stateDirectory = new Option<string>("--state-dir")
        {
            Description = "Where endpoints.json and dev-token are written (default: .retail at the repository root).",
            DefaultValueFactory = _ => Path.Combine(RepositoryLayout.Discover().Root, defaults.StateDirectory),
        };

        var root = new RootCommand("Runs Retail locally: PostgreSQL, RabbitMQ, two silos, the API and the bridge; or everything in one process.")
        {
            embedded, simulate, apiPort, bridgePort, siloHttpPort, siloPort, gatewayPort, dashboardPort,
            postgresPort, brokerPort, managementPort, postgres, broker, stateDirectory,
        };
        root.SetAction((result, cancellationToken) => RetailApp.RunAsync(new AppHostOptions
        {
            Embedded = result.GetValue(embedded),
            Simulate = result.GetValue(simulate),
            ApiPort = result.GetValue(apiPort),
            BridgePort = result.GetValue(bridgePort),
            SiloHttpPort = result.GetValue(siloHttpPort),
            SiloPort = result.GetValue(siloPort),
            GatewayPort = result.GetValue(gatewayPort),
            DashboardPort = result.GetValue(dashboardPort),
            PostgresPort = result.GetValue(postgresPort),
            BrokerPort = result.GetValue(brokerPort),
            BrokerManagementPort = result.GetValue(managementPort),
            PostgresConnectionString = result.GetValue(postgres),
            BrokerUri = result.GetValue(broker),
            StateDirectory = result.GetValue(stateDirectory)!,
        }, cancellationToken));
        root.Subcommands.Add(ErpCommand.Create(stateDirectory));
        return root;
    }

    private static Option<int> Port(string name, string what, int defaultPort) => new(name)
    {
        Description = $"Port of {what} (default {defaultPort}).",
        DefaultValueFactory = _ => defaultPort,
    };
}
