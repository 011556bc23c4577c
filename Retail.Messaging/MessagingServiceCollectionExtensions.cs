using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Amqp;
using Retail.Messaging.InMemory;
using Retail.Messaging.RabbitMq;
using Retail.Messaging.ServiceBus;

namespace Retail.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IMessagePublisher"/>, <see cref="IMessageProcessorFactory"/> and <see cref="IMessagingHealth"/>
    /// (singletons) for the transport named by <c>Messaging:Transport</c> (see docs/messaging.md).
    /// </summary>
    public static IServiceCollection AddRetailMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection("Messaging").Get<MessagingOptions>() ?? new MessagingOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        switch (options.Transport)
        {
            case MessagingTransport.InMemory:
                services.TryAddSingleton(provider => new InMemoryMessageBroker(
                    provider.GetService<ILogger<InMemoryMessageBroker>>(), provider.GetRequiredService<TimeProvider>()));
                services.AddSingleton<IMessagePublisher>(provider => provider.GetRequiredService<InMemoryMessageBroker>());
                services.AddSingleton<IMessageProcessorFactory>(provider => provider.GetRequiredService<InMemoryMessageBroker>());
                services.AddSingleton<IMessagingHealth>(provider => provider.GetRequiredService<InMemoryMessageBroker>());
                break;
            case MessagingTransport.RabbitMq:
                AddRabbitMq(services, configuration, options);
                break;
            case MessagingTransport.Azure:
                AddAzure(services, configuration, options);
                break;
            default:
                throw new InvalidOperationException($"Messaging:Transport '{options.Transport}' is not one of InMemory, RabbitMq, Azure.");
        }

        return services;
    }

    /// <summary>Adds a health check named <c>messaging</c> that asks <see cref="IMessagingHealth"/>.</summary>
    public static IHealthChecksBuilder AddRetailMessagingCheck(this IHealthChecksBuilder builder, params string[] tags) =>
        builder.AddCheck<MessagingHealthCheck>("messaging", tags: tags);

    private static void AddRabbitMq(IServiceCollection services, IConfiguration configuration, MessagingOptions options)
    {
        var rabbit = new RabbitMqOptions
        {
            ConnectionString = configuration.GetConnectionString("retail-broker")
                ?? throw new InvalidOperationException("Messaging:Transport is RabbitMq but ConnectionStrings:retail-broker is not set."),
        };
        configuration.GetSection("Messaging:RabbitMq").Bind(rabbit);
        AmqpEndpoint.Parse(rabbit.ConnectionString);
        services.AddHttpClient();
        services.AddSingleton(rabbit);
        services.AddSingleton<RabbitMqTopology>();
        services.AddSingleton(provider => new AmqpConnectionManager(
            new RabbitMqDialect(rabbit, provider.GetRequiredService<RabbitMqTopology>()), options, provider.GetRequiredService<ILogger<AmqpConnectionManager>>()));
        services.AddSingleton<IMessagePublisher>(provider => new AmqpMessagePublisher(
            provider.GetRequiredService<AmqpConnectionManager>(), provider.GetRequiredService<ILogger<AmqpMessagePublisher>>()));
        services.AddSingleton<IMessageProcessorFactory>(provider => new AmqpMessageProcessorFactory(
            provider.GetRequiredService<AmqpConnectionManager>(), provider.GetRequiredService<ILoggerFactory>(), provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IMessagingHealth>(provider => new AmqpMessagingHealth([provider.GetRequiredService<AmqpConnectionManager>()]));
        services.AddHostedService<RabbitMqTopologyInitializer>();
    }

    /// <summary>
    /// Service Bus for the queues and Event Hubs for the event stream (when <c>Messaging:EventHubs:FullyQualifiedNamespace</c>
    /// is set; otherwise events go to a Service Bus topic of the same name). Entra tokens come from the registered
    /// <see cref="TokenCredential"/> (default: <see cref="DefaultAzureCredential"/>, which uses the managed identity named by
    /// AZURE_CLIENT_ID); a SAS key name and key switch a namespace to SAS tokens.
    /// </summary>
    private static void AddAzure(IServiceCollection services, IConfiguration configuration, MessagingOptions options)
    {
        var serviceBus = new ServiceBusOptions();
        configuration.GetSection("Messaging:ServiceBus").Bind(serviceBus);
        var eventHubs = new EventHubsOptions();
        configuration.GetSection("Messaging:EventHubs").Bind(eventHubs);
        if (string.IsNullOrWhiteSpace(serviceBus.FullyQualifiedNamespace))
        {
            throw new InvalidOperationException("Messaging:Transport is Azure but Messaging:ServiceBus:FullyQualifiedNamespace is not set.");
        }

        var hasEventHubs = !string.IsNullOrWhiteSpace(eventHubs.FullyQualifiedNamespace);
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(provider => new AzureConnections(
            Connect(provider, "servicebus", serviceBus.FullyQualifiedNamespace, serviceBus.Port, serviceBus.UseTls, serviceBus.SasKeyName, serviceBus.SasKey,
                EntraCbsTokenProvider.ServiceBusScope, eventHubs: false, serviceBus, options),
            hasEventHubs
                ? Connect(provider, "eventhubs", eventHubs.FullyQualifiedNamespace!, eventHubs.Port, eventHubs.UseTls, eventHubs.SasKeyName, eventHubs.SasKey,
                    EntraCbsTokenProvider.EventHubsScope, eventHubs: true, serviceBus, options)
                : null));
        services.AddSingleton<IMessagePublisher>(provider =>
        {
            var connections = provider.GetRequiredService<AzureConnections>();
            return new AzureMessagePublisher(
                new AmqpMessagePublisher(connections.ServiceBus, provider.GetRequiredService<ILogger<AmqpMessagePublisher>>()),
                connections.EventHubs is { } hub ? new AmqpMessagePublisher(hub, provider.GetRequiredService<ILogger<AmqpMessagePublisher>>()) : null,
                eventHubs.EventHubName);
        });
        services.AddSingleton<IMessageProcessorFactory>(provider => new AzureMessageProcessorFactory(
            new AmqpMessageProcessorFactory(provider.GetRequiredService<AzureConnections>().ServiceBus, provider.GetRequiredService<ILoggerFactory>(), provider.GetRequiredService<TimeProvider>()),
            hasEventHubs,
            eventHubs.EventHubName));
        services.AddSingleton<IMessagingHealth>(provider =>
        {
            var connections = provider.GetRequiredService<AzureConnections>();
            return new AmqpMessagingHealth(connections.EventHubs is { } hub ? [connections.ServiceBus, hub] : [connections.ServiceBus]);
        });
    }

    private static AmqpConnectionManager Connect(
        IServiceProvider provider, string system, string fullyQualifiedNamespace, int port, bool useTls, string? sasKeyName, string? sasKey,
        string scope, bool eventHubs, ServiceBusOptions serviceBus, MessagingOptions options)
    {
        var time = provider.GetRequiredService<TimeProvider>();
        ICbsTokenProvider tokens = !string.IsNullOrWhiteSpace(sasKeyName) && !string.IsNullOrWhiteSpace(sasKey)
            ? new SasCbsTokenProvider(sasKeyName, sasKey, time, TimeSpan.FromHours(1))
            : new EntraCbsTokenProvider(provider.GetRequiredService<TokenCredential>(), scope);
        var dialect = new ServiceBusDialect(system, fullyQualifiedNamespace, port, useTls, tokens, eventHubs, serviceBus, time,
            provider.GetRequiredService<ILogger<ServiceBusDialect>>());
        return new AmqpConnectionManager(dialect, options, provider.GetRequiredService<ILogger<AmqpConnectionManager>>());
    }

    /// <summary>The Service Bus connection and, when configured, the Event Hubs one (disposed with the container).</summary>
    private sealed class AzureConnections(AmqpConnectionManager serviceBus, AmqpConnectionManager? eventHubs) : IAsyncDisposable
    {
        public AmqpConnectionManager ServiceBus { get; } = serviceBus;

        public AmqpConnectionManager? EventHubs { get; } = eventHubs;

        public async ValueTask DisposeAsync()
        {
            await ServiceBus.DisposeAsync();
            if (EventHubs is not null)
            {
                await EventHubs.DisposeAsync();
            }
        }
    }

    private sealed class MessagingHealthCheck(IMessagingHealth health) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            health.CheckHealthAsync(cancellationToken);
    }
}
