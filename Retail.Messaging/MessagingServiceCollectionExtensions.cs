using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Amqp;
using Retail.Messaging.InMemory;
using Retail.Messaging.RabbitMq;

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
            default:
                throw new InvalidOperationException($"Messaging:Transport '{options.Transport}' is not one of InMemory, RabbitMq.");
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

    private sealed class MessagingHealthCheck(IMessagingHealth health) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            health.CheckHealthAsync(cancellationToken);
    }
}
