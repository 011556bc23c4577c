using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Retail.Messaging.RabbitMq;

namespace Retail.Messaging.Tests.RabbitMq;

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqLauncherTests
{
    [Fact]
    public async Task StartAsync_WithFixedPorts_ListensOnExactlyThosePorts()
    {
        var (amqpPort, managementPort) = TwoFreePorts();

        await using var node = await RabbitMqLauncher.StartAsync(new RabbitMqLauncherOptions { AmqpPort = amqpPort, ManagementPort = managementPort });

        Assert.Equal((amqpPort, managementPort), (node.AmqpPort, node.ManagementPort));
        Assert.Equal($"amqp://guest:guest@127.0.0.1:{amqpPort}", node.ConnectionString);
        Assert.Equal(new Uri($"http://127.0.0.1:{managementPort}"), node.ManagementUri);
        using var http = RabbitMqFixture.CreateManagementClient(node);
        var overview = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/overview", UriKind.Relative));
        var listeners = overview.GetProperty("listeners").EnumerateArray()
            .Select(listener => (listener.GetProperty("protocol").GetString(), listener.GetProperty("port").GetInt32()))
            .ToList();
        Assert.Contains(("amqp", amqpPort), listeners);
        Assert.Contains(("http", managementPort), listeners);
        Assert.Contains(("clustering", node.DistributionPort), listeners);
        Assert.DoesNotContain(node.DistributionPort, new[] { 25672, amqpPort, managementPort });
        await using var services = new ServiceCollection().AddRetailMessaging(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:retail-broker"] = node.ConnectionString,
        }).Build()).BuildServiceProvider();
        Assert.Equal(HealthStatus.Healthy, (await services.GetRequiredService<IMessagingHealth>().CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task StartAsync_WhenAFixedPortIsInUse_FailsNamingThePort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RabbitMqLauncher.StartAsync(new RabbitMqLauncherOptions { AmqpPort = port }));

        Assert.Contains($"Port {port}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(65536, null)]
    [InlineData(5673, 5673)]
    public async Task StartAsync_WithInvalidPorts_Rejects(int amqpPort, int? managementPort)
    {
        var options = new RabbitMqLauncherOptions { AmqpPort = amqpPort, ManagementPort = managementPort };

        await Assert.ThrowsAsync<ArgumentException>(() => RabbitMqLauncher.StartAsync(options));
    }

    private static (int First, int Second) TwoFreePorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }
}
