using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Retail.Messaging.Azure;
using Retail.Messaging.InMemory;
using Retail.Messaging.RabbitMq;

namespace Retail.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>The connection string name of the RabbitMQ broker (the AppHost's <c>messaging</c> resource).</summary>
    public const string RabbitMqConnectionName = "messaging";

    /// <summary>
    /// The hosts' registration: <see cref="AddRetailMessaging(IServiceCollection, IConfiguration)"/>, and for RabbitMQ the
    /// connection through Aspire.RabbitMQ.Client (its health check, logging and tracing).
    /// </summary>
    public static IHostApplicationBuilder AddRetailMessaging(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (ReadOptions(builder.Configuration).Transport == MessagingTransport.RabbitMq)
        {
            builder.AddRabbitMQClient(RabbitMqConnectionName, settings => settings.DisableAutoActivation = true, ConfigureFactory);
        }

        builder.Services.AddRetailMessaging(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="IMessagePublisher"/>, <see cref="IMessageProcessorFactory"/> and <see cref="IMessagingHealth"/>
    /// (singletons) for the transport named by <c>Messaging:Transport</c> (see docs/messaging.md).
    /// </summary>
    public static IServiceCollection AddRetailMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = ReadOptions(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();
        switch (options.Transport)
        {
            case MessagingTransport.InMemory:
                services.TryAddSingleton(provider => new InMemoryMessageBroker(provider.GetService<ILogger<InMemoryMessageBroker>>()));
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

    private static MessagingOptions ReadOptions(IConfiguration configuration) =>
        configuration.GetSection("Messaging").Get<MessagingOptions>() ?? new MessagingOptions();

    private static void ConfigureFactory(ConnectionFactory factory)
    {
        factory.AutomaticRecoveryEnabled = true;
        factory.TopologyRecoveryEnabled = true;
        factory.NetworkRecoveryInterval = TimeSpan.FromSeconds(2);
        factory.ClientProvidedName ??= AppDomain.CurrentDomain.FriendlyName;
    }

    private static void AddRabbitMq(IServiceCollection services, IConfiguration configuration, MessagingOptions options)
    {
        var connectionString = configuration.GetConnectionString(RabbitMqConnectionName)
            ?? throw new InvalidOperationException($"Messaging:Transport is RabbitMq but ConnectionStrings:{RabbitMqConnectionName} is not set.");
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw new InvalidOperationException($"ConnectionStrings:{RabbitMqConnectionName} must be an amqp:// or amqps:// URI.");
        }

        var rabbit = new RabbitMqOptions();
        configuration.GetSection("Messaging:RabbitMq").Bind(rabbit);
        ArgumentOutOfRangeException.ThrowIfLessThan(rabbit.Partitions, 1, "Messaging:RabbitMq:Partitions");
        ArgumentOutOfRangeException.ThrowIfLessThan(rabbit.MaxDeliveryCount, 1, "Messaging:RabbitMq:MaxDeliveryCount");
        services.TryAddSingleton<IConnection>(_ =>
        {
            var factory = new ConnectionFactory { Uri = uri };
            ConfigureFactory(factory);
            return factory.CreateConnectionAsync().GetAwaiter().GetResult();
        });
        services.AddSingleton(options);
        services.AddSingleton(rabbit);
        services.AddSingleton(provider => new RabbitMqConnection(provider));
        services.AddSingleton<RabbitMqTopology>();
        services.AddSingleton<RabbitMqPublisher>();
        services.AddSingleton<IMessagePublisher>(provider => provider.GetRequiredService<RabbitMqPublisher>());
        services.AddSingleton<IMessageProcessorFactory, RabbitMqProcessorFactory>();
        services.AddSingleton<IMessagingHealth, RabbitMqHealth>();
        services.AddHostedService<RabbitMqTopologyInitializer>();
    }

    /// <summary>
    /// Service Bus for the queues and Event Hubs for the event stream (when an Event Hubs namespace or connection string is
    /// set; otherwise events go to a Service Bus topic of the same name). Without a connection string the clients use the
    /// registered <see cref="TokenCredential"/> (default: <see cref="DefaultAzureCredential"/>, which uses the managed identity
    /// named by AZURE_CLIENT_ID).
    /// </summary>
    private static void AddAzure(IServiceCollection services, IConfiguration configuration, MessagingOptions options)
    {
        var serviceBus = new ServiceBusOptions();
        configuration.GetSection("Messaging:ServiceBus").Bind(serviceBus);
        var eventHubs = new EventHubsOptions();
        configuration.GetSection("Messaging:EventHubs").Bind(eventHubs);
        services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(provider => new AzureClients(serviceBus, eventHubs, options, provider.GetRequiredService<TokenCredential>));
        services.AddSingleton<IMessagePublisher>(provider => new AzurePublisher(provider.GetRequiredService<AzureClients>(), options));
        services.AddSingleton<IMessageProcessorFactory>(provider => new AzureProcessorFactory(
            provider.GetRequiredService<AzureClients>(), serviceBus, provider.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IMessagingHealth>(provider => new AzureMessagingHealth(provider.GetRequiredService<AzureClients>()));
    }

    private sealed class MessagingHealthCheck(IMessagingHealth health) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            health.CheckHealthAsync(cancellationToken);
    }
}
