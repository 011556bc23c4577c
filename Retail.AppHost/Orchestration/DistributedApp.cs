using System.Text.Json;
using Retail.AppHost.Simulation;
using Retail.Postgres.Local;
using Spectre.Console;

namespace Retail.AppHost.Orchestration;

/// <summary>
/// The distributed mode: private PostgreSQL and RabbitMQ, two silos, the API and the bridge as separate
/// processes, started in dependency order, each waited for until healthy.
/// </summary>
internal static class DistributedApp
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    public static async Task RunAsync(AppHostOptions options, RepositoryLayout layout, CancellationToken cancellationToken)
    {
        EnsurePortsFree(options);
        var children = new List<ChildProcess>();
        PostgresLauncher? postgres = null;
        RabbitMqLauncher? rabbit = null;
        try
        {
            var database = options.PostgresConnectionString;
            if (database is null)
            {
                AnsiConsole.MarkupLine($"Starting PostgreSQL on 127.0.0.1:{options.PostgresPort}...");
                postgres = await PostgresLauncher.StartAsync(new PostgresLauncherOptions { Port = options.PostgresPort }, cancellationToken);
                database = postgres.ConnectionString;
            }
            var broker = options.BrokerUri;
            if (broker is null)
            {
                AnsiConsole.MarkupLine($"Starting RabbitMQ on 127.0.0.1:{options.BrokerPort}...");
                rabbit = await RabbitMqLauncher.StartAsync(
                    new RabbitMqLauncherOptions { AmqpPort = options.BrokerPort, ManagementPort = options.BrokerManagementPort },
                    cancellationToken: cancellationToken);
                broker = rabbit.AmqpUri.ToString();
            }

            var token = new DevelopmentToken();
            var secrets = WebhookSecrets.FromEnvironmentOrDevelopment();
            var common = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Orleans__Membership"] = "Postgres",
                ["Orleans__Storage"] = "Postgres",
                ["Orleans__AdvertisedIPAddress"] = "127.0.0.1",
                ["Orders__Directory"] = "false",
                ["ConnectionStrings__retail-db"] = database,
                ["Messaging__Transport"] = "RabbitMq",
                ["ConnectionStrings__messaging"] = broker,
            };
            foreach (var (key, value) in token.Environment.Concat(secrets.Environment))
            {
                common[key] = value;
            }

            var dotnet = DotnetHost();
            async Task<ChildProcess> StartAsync(string name, string colour, string project, int httpPort, Dictionary<string, string> extra)
            {
                var environment = new Dictionary<string, string>(common, StringComparer.Ordinal) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}" };
                foreach (var (key, value) in extra)
                {
                    environment[key] = value;
                }
                AnsiConsole.MarkupLine($"Starting {name}...");
                var child = ChildProcess.Start(name, colour, dotnet, [layout.ServiceAssembly(project)], environment, layout.ProjectDirectory(project));
                child.ExitedUnexpectedly += (process, code) =>
                    AnsiConsole.MarkupLine($"[red bold]{Markup.Escape(process.Name)} exited unexpectedly with code {code}; it is not restarted.[/]");
                children.Add(child);
                await Health.WaitHealthyAsync(name, new Uri($"http://127.0.0.1:{httpPort}/health"), () => child.HasExited, StartTimeout, cancellationToken);
                AnsiConsole.MarkupLine($"[green]{Markup.Escape(name)} is healthy.[/]");
                return child;
            }

            for (var silo = 0; silo < 2; silo++)
            {
                var extra = new Dictionary<string, string>
                {
                    ["Orleans__SiloPort"] = (options.SiloPort + silo).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["Orleans__GatewayPort"] = (options.GatewayPort + silo).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                if (silo == 0)
                {
                    extra["Orleans__DashboardPort"] = options.DashboardPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await StartAsync($"silo-{silo + 1}", silo == 0 ? "deepskyblue1" : "dodgerblue2", "Retail.Silo", options.SiloHttpPort + silo, extra);
            }
            await StartAsync("api", "green3", "Retail.Api", options.ApiPort, []);
            await StartAsync("bridge", "orange1", "Retail.Functions", options.BridgePort, []);

            var api = $"http://127.0.0.1:{options.ApiPort}";
            var bridge = $"http://127.0.0.1:{options.BridgePort}";
            var endpoints = new Endpoints()
                .Add("api", api, "REST API, /api/v1")
                .Add("ops", $"{api}/ops", "operations dashboard")
                .Add("openapi", $"{api}/scalar", "interactive API reference (document at /openapi/v1.json)")
                .Add("bridge", bridge, "webhook bridge")
                .Add("webhook-shopify", $"{bridge}/webhooks/shopify", "Shopify webhooks")
                .Add("webhook-stripe", $"{bridge}/webhooks/stripe", "Stripe webhooks")
                .Add("webhook-events", $"{bridge}/webhooks/events/{{source}}", "CloudEvents sources (pos, marketplace, wms)")
                .Add("orleans-dashboard", $"http://127.0.0.1:{options.DashboardPort}", "Orleans dashboard")
                .Add("silo-1", $"http://127.0.0.1:{options.SiloHttpPort}", "silo health")
                .Add("silo-2", $"http://127.0.0.1:{options.SiloHttpPort + 1}", "silo health")
                .Add("broker", broker, "RabbitMQ, AMQP 0-9-1 (erp-inbound, erp-outbound, retail-events)");
            if (rabbit is not null)
            {
                endpoints.Add("broker-management", rabbit.ManagementUri.ToString(), "RabbitMQ management");
            }
            endpoints.Add("postgres", Redact(database), "PostgreSQL (grain state, membership, reminders)");
            endpoints.Print("distributed");
            await endpoints.WriteAsync(options.EndpointsFile);
            await File.WriteAllTextAsync(Path.Combine(options.StateDirectory, "processes.json"),
                JsonSerializer.Serialize(children.ToDictionary(child => child.Name, child => child.ProcessId)), cancellationToken);
            await DevelopmentToken.PrintAndSaveAsync(token.Mint(TimeSpan.FromHours(12)), options.StateDirectory);
            AnsiConsole.MarkupLine("Press Ctrl+C to stop everything.");

            if (options.Simulate)
            {
                await using var messaging = SimulationMessaging.ForBroker(broker);
                await Simulator.RunAsync(new SimulationTarget(new Uri(api), new Uri(bridge), token, secrets, messaging.Publisher, messaging.Processors), cancellationToken);
            }
            else
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        finally
        {
            AnsiConsole.MarkupLine("Stopping...");
            for (var index = children.Count - 1; index >= 0; index--)
            {
                await children[index].DisposeAsync();
            }
            if (rabbit is not null)
            {
                await rabbit.DisposeAsync();
            }
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }
            File.Delete(Path.Combine(options.StateDirectory, "processes.json"));
            DevelopmentToken.Delete(options.StateDirectory);
            AnsiConsole.MarkupLine("Stopped.");
        }
    }

    private static void EnsurePortsFree(AppHostOptions options)
    {
        Health.EnsurePortFree("the API", options.ApiPort);
        Health.EnsurePortFree("the bridge", options.BridgePort);
        for (var silo = 0; silo < 2; silo++)
        {
            Health.EnsurePortFree($"silo {silo + 1}'s health endpoint", options.SiloHttpPort + silo);
            Health.EnsurePortFree($"silo {silo + 1}", options.SiloPort + silo);
            Health.EnsurePortFree($"silo {silo + 1}'s gateway", options.GatewayPort + silo);
        }
        Health.EnsurePortFree("the Orleans dashboard", options.DashboardPort);
        if (options.PostgresConnectionString is null)
        {
            Health.EnsurePortFree("PostgreSQL", options.PostgresPort);
        }
        if (options.BrokerUri is null)
        {
            Health.EnsurePortFree("RabbitMQ", options.BrokerPort);
            Health.EnsurePortFree("RabbitMQ management", options.BrokerManagementPort);
        }
    }

    /// <summary>The dotnet host that runs this AppHost runs the services too.</summary>
    private static string DotnetHost() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    private static string Redact(string connectionString) =>
        string.Join(';', connectionString.Split(';').Where(part => !part.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)));
}
