using Microsoft.Extensions.Logging;

namespace Retail.Messaging.RabbitMq;

/// <summary>Starts <see cref="RabbitMqProcessor"/>s once the entity's topology is declared.</summary>
internal sealed class RabbitMqProcessorFactory(
    RabbitMqConnection connection, RabbitMqTopology topology, RabbitMqOptions rabbit, RabbitMqPublisher publisher, ILoggerFactory loggers)
    : IMessageProcessorFactory
{
    public async Task<IAsyncDisposable> StartAsync(string entity, MessageHandler handler, ProcessorOptions processorOptions, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(processorOptions);
        ArgumentOutOfRangeException.ThrowIfLessThan(processorOptions.MaxConcurrency, 1, nameof(processorOptions));
        DeadLetter.IsDeadLetterQueue(entity, out var parent);
        await topology.EnsureDeclaredAsync(parent, cancellationToken);
        var processor = new RabbitMqProcessor(entity, handler, processorOptions, rabbit, publisher, loggers.CreateLogger<RabbitMqProcessor>());
        await processor.StartAsync(await connection.GetAsync(cancellationToken), cancellationToken);
        return processor;
    }
}
