using System.Globalization;
using Aspire.Hosting.Testing;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>
/// The real AppHost (Retail.AppHost's Program) built by Aspire.Hosting.Testing, on free ports and a private state
/// directory, in the mode asked for.
/// </summary>
internal static class RetailAppHost
{
    private static readonly string[] PortNames = ["Api", "Bridge", "Silo", "OrleansDashboard", "Postgres", "Broker", "BrokerManagement", "BrokerPortMapper", "BrokerDistribution"];

    public sealed record Settings(string Mode, string StateDirectory, IReadOnlyDictionary<string, int> Ports, int DashboardPort, int OtlpPort, int ResourceServicePort)
    {
        public string DashboardUrl => $"http://127.0.0.1:{DashboardPort.ToString(CultureInfo.InvariantCulture)}";

        public string[] Arguments()
        {
            List<string> arguments =
            [
                $"--LocalServices={Mode}",
                $"--StateDirectory={StateDirectory}",
                $"--ASPNETCORE_URLS={DashboardUrl}",
                $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:{OtlpPort.ToString(CultureInfo.InvariantCulture)}",
                $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:{ResourceServicePort.ToString(CultureInfo.InvariantCulture)}",
                "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
            ];
            arguments.AddRange(Ports.Select(port => $"--Ports:{port.Key}={port.Value.ToString(CultureInfo.InvariantCulture)}"));
            arguments.AddRange(TestSecrets.Environment.Select(setting => $"--{setting.Key.Replace("__", ":", StringComparison.Ordinal)}={setting.Value}"));
            return [.. arguments];
        }
    }

    public static Settings NewSettings(string mode)
    {
        var state = Path.Combine(Path.GetTempPath(), "retail-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = PortNames.ToDictionary(name => name, _ => FreePorts.One(), StringComparer.Ordinal);
        return new Settings(mode, state, ports, FreePorts.One(), FreePorts.One(), FreePorts.One());
    }

    public static Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(Settings settings, bool dashboard = false) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.Retail_AppHost>(
            new DistributedApplicationTestingBuilderOptions { EnableDashboard = dashboard }, settings.Arguments());
}
