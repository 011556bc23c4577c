using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Retail.AppHost.LocalServices;

/// <summary>
/// A private RabbitMQ node from Debian's rabbitmq-server as an executable resource: its own node name, configuration,
/// data and logs under the state directory (<c>.retail/rabbitmq</c>), the AMQP listener and the management API on
/// 127.0.0.1, and its own Erlang port mapper (<c>epmd</c>, a resource too) so that nothing outlives the app.
/// </summary>
public static class RabbitMqBinaries
{
    private const string ServerUser = "rabbitmq";
    private const string Credentials = "guest:guest";

    /// <summary>rabbitmq-server's own start script (not Debian's wrapper, which detaches and logs to /var/log); null when not installed.</summary>
    public static string? Find() =>
        Directory.Exists("/usr/lib/rabbitmq/lib")
            ? Directory.GetDirectories("/usr/lib/rabbitmq/lib", "rabbitmq_server-*")
                .Select(directory => Path.Combine(directory, "sbin", "rabbitmq-server"))
                .Where(File.Exists)
                .OrderDescending(StringComparer.Ordinal)
                .FirstOrDefault()
            : null;

    public static (IResourceBuilder<IResourceWithConnectionString> Messaging, IResourceBuilder<IResource> Server, EndpointReference Management) AddRabbitMqBinaries(
        this IDistributedApplicationBuilder builder, RetailPorts ports, StateDirectory state)
    {
        var server = Find() ?? throw new InvalidOperationException("rabbitmq-server was not found in /usr/lib/rabbitmq/lib: apt-get install rabbitmq-server.");
        var root = state.Subdirectory("rabbitmq");
        var epmdPort = ports.BrokerPortMapper;
        var epmd = builder.AddExecutable("epmd", "epmd", root, "-port", epmdPort.ToString(CultureInfo.InvariantCulture))
            .WithIconName("PlugConnected");

        var (command, arguments) = ServiceUser.Command(ServerUser, [server]);
        var rabbit = builder.AddExecutable("rabbitmq", command, root, arguments)
            .WithEndpoint(port: ports.Broker, name: "amqp", scheme: "tcp", isProxied: false)
            .WithHttpEndpoint(port: ports.BrokerManagement, name: "management", isProxied: false)
            .WithEnvironment("HOME", Path.Combine(root, "home"))
            .WithEnvironment("RABBITMQ_NODENAME", "retail-" + ports.Broker.ToString(CultureInfo.InvariantCulture) + "@localhost")
            .WithEnvironment("RABBITMQ_CONFIG_FILE", Path.Combine(root, "rabbitmq.conf"))
            .WithEnvironment("RABBITMQ_CONF_ENV_FILE", Path.Combine(root, "rabbitmq-env.conf"))
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(root, "enabled_plugins"))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(root, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(root, "log"))
            .WithEnvironment("RABBITMQ_LOGS", "-")
            .WithEnvironment("RABBITMQ_DIST_PORT", ports.BrokerDistribution.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("ERL_EPMD_PORT", epmdPort.ToString(CultureInfo.InvariantCulture))
            .WithIconName("Mail")
            .WaitFor(epmd);
        epmd.WithParentRelationship(rabbit);
        var amqp = rabbit.GetEndpoint("amqp");
        var management = rabbit.GetEndpoint("management");

        var healthCheck = "rabbitmq-management-answers";
        rabbit.WithHealthCheck(healthCheck);
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes(Credentials)));
            try
            {
                using var response = await http.GetAsync(new Uri(new Uri(management.Url), "/api/overview"), cancellationToken);
                return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"management API answered {(int)response.StatusCode}");
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        });
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(rabbit.Resource, async (_, cancellationToken) =>
            await PrepareAsync(root, ports, cancellationToken));

        var messaging = builder.AddConnectionString(BackingServices.MessagingName, ReferenceExpression.Create(
                $"amqp://{Credentials}@{amqp.Property(EndpointProperty.Host)}:{amqp.Property(EndpointProperty.Port)}"))
            .WithParentRelationship(rabbit);
        return (messaging, rabbit, management);
    }

    /// <summary>The node's configuration: listeners on 127.0.0.1 and the management plugin.</summary>
    private static async Task PrepareAsync(string root, RetailPorts ports, CancellationToken cancellationToken)
    {
        foreach (var directory in new[] { "home", "mnesia", "log" })
        {
            Directory.CreateDirectory(Path.Combine(root, directory));
        }
        await File.WriteAllTextAsync(Path.Combine(root, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{ports.Broker}
            loopback_users = none
            management.tcp.port = {ports.BrokerManagement}
            management.tcp.ip = 127.0.0.1
            disk_free_limit.absolute = 50MB

            """, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, "enabled_plugins"), "[rabbitmq_management].\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, "rabbitmq-env.conf"), "", cancellationToken);
        await ServiceUser.ChownAsync(ServerUser, root, cancellationToken);
    }
}
