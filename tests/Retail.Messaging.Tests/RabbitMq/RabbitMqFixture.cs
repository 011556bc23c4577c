using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Retail.Testing.RabbitMq;

namespace Retail.Messaging.Tests.RabbitMq;

/// <summary>A private RabbitMQ node for the test run, and hosts wired as the apps wire them (Aspire.RabbitMQ.Client).</summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    private readonly List<IHost> hosts = [];
    private RabbitMqNode? node;

    public RabbitMqNode Node => node ?? throw new InvalidOperationException("The broker is not started.");

    public async Task InitializeAsync() => node = await RabbitMqNode.StartAsync();

    /// <summary>A started host with <c>AddRetailMessaging()</c> on the RabbitMq transport; disposed with the fixture.</summary>
    public async Task<IServiceProvider> StartHostAsync(IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["ConnectionStrings:messaging"] = Node.ConnectionString,
            ["Messaging:PublishTimeout"] = "00:01:30",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddLogging();
        builder.AddRetailMessaging();
        var host = builder.Build();
        await host.StartAsync();
        lock (hosts)
        {
            hosts.Add(host);
        }

        return host.Services;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        if (node is not null)
        {
            await node.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "RabbitMQ node";
}
