using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retail.Messaging.RabbitMq;

namespace Retail.Messaging.Tests.RabbitMq;

/// <summary>One private RabbitMQ node for the whole test run.</summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    private RabbitMqLauncher? broker;

    public RabbitMqLauncher Broker => broker ?? throw new InvalidOperationException("The broker is not started.");

    public async Task InitializeAsync() => broker = await RabbitMqLauncher.StartAsync();

    public async Task DisposeAsync()
    {
        if (broker is not null)
        {
            await broker.DisposeAsync();
        }
    }

    /// <summary>A service provider wired as the apps wire it: <c>AddRetailMessaging</c> with the RabbitMq transport.</summary>
    public ServiceProvider CreateServices()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:MaxReconnectDelay"] = "00:00:01",
            ["ConnectionStrings:retail-broker"] = Broker.ConnectionString,
            ["Messaging:RabbitMq:ManagementUri"] = Broker.ManagementUri.ToString(),
        }).Build();
        return new ServiceCollection().AddRetailMessaging(configuration).BuildServiceProvider();
    }

    /// <summary>How many messages the broker holds in <paramref name="queue"/> (ready and unacknowledged).</summary>
    public async Task<int> CountMessagesAsync(string queue)
    {
        using var http = CreateManagementClient(Broker);
        var json = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/queues/%2F/{Uri.EscapeDataString(queue)}", UriKind.Relative));
        return json.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Number ? messages.GetInt32() : 0;
    }

    /// <summary>An HTTP client for a node's management API, signed in as the default user.</summary>
    public static HttpClient CreateManagementClient(RabbitMqLauncher node)
    {
        var http = new HttpClient { BaseAddress = node.ManagementUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        return http;
    }
}

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqFixture>
{
    public const string Name = "RabbitMQ";
}
