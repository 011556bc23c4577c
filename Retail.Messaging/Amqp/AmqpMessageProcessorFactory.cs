using Microsoft.Extensions.Logging;

namespace Retail.Messaging.Amqp;

/// <summary>Starts <see cref="AmqpProcessor"/>s on the transport's shared connection.</summary>
internal sealed class AmqpMessageProcessorFactory(AmqpConnectionManager connections, ILoggerFactory loggerFactory, TimeProvider time) : IMessageProcessorFactory
{
    public Task<IAsyncDisposable> StartAsync(string entity, MessageHandler handler, ProcessorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(entity);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrency, 1, nameof(options));
        cancellationToken.ThrowIfCancellationRequested();
        var processor = new AmqpProcessor(entity, handler, options, connections, time, loggerFactory.CreateLogger<AmqpProcessor>());
        processor.Start();
        return Task.FromResult<IAsyncDisposable>(processor);
    }
}
