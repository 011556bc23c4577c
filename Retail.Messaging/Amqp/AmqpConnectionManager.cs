using Microsoft.Extensions.Logging;

namespace Retail.Messaging.Amqp;

/// <summary>Keeps one connection to the broker, reconnecting with backoff after it is lost.</summary>
internal sealed partial class AmqpConnectionManager(IAmqpDialect dialect, MessagingOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly CancellationTokenSource disposing = new();
    private AmqpConnectionScope? current;
    private bool disposed;

    public IAmqpDialect Dialect { get; } = dialect;

    public MessagingOptions Options { get; } = options;

    /// <summary>The live connection, connecting (and retrying with backoff) until it succeeds or is cancelled.</summary>
    public async Task<AmqpConnectionScope> GetAsync(CancellationToken cancellationToken)
    {
        if (current is { IsClosed: false } live)
        {
            return live;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposing.Token);
        try
        {
            await gate.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (disposing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(AmqpConnectionManager));
        }

        try
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (current is { IsClosed: false } established)
            {
                return established;
            }

            if (current is not null)
            {
                await current.DisposeAsync();
                current = null;
            }

            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    current = await ConnectAsync(linked.Token);
                    LogConnected(logger, Dialect.SystemName, Dialect.Endpoint);
                    return current;
                }
                catch (Exception exception) when (!linked.IsCancellationRequested && exception is not ObjectDisposedException)
                {
                    var delay = Backoff.Delay(attempt, Options.MaxReconnectDelay);
                    LogConnectFailed(logger, exception, Dialect.SystemName, Dialect.Endpoint, delay);
                    await Task.Delay(delay, linked.Token);
                }
            }
        }
        catch (OperationCanceledException) when (disposing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ObjectDisposedException(nameof(AmqpConnectionManager));
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Drops <paramref name="scope"/> if it is still the current connection, so the next call reconnects.</summary>
    public async Task InvalidateAsync(AmqpConnectionScope scope)
    {
        await gate.WaitAsync();
        try
        {
            if (ReferenceEquals(current, scope))
            {
                current = null;
            }
        }
        finally
        {
            gate.Release();
        }

        await scope.DisposeAsync();
    }

    /// <summary>Stops any connect attempt in progress, then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!disposing.IsCancellationRequested)
        {
            await disposing.CancelAsync();
        }

        await gate.WaitAsync();
        try
        {
            disposed = true;
            if (current is not null)
            {
                await current.DisposeAsync();
                current = null;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<AmqpConnectionScope> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = Dialect.Endpoint.CreateFactory();
        var connection = await factory.CreateAsync(Dialect.Endpoint.ToAddress()).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var scope = new AmqpConnectionScope(connection, Dialect);
        try
        {
            await Dialect.OnConnectedAsync(scope, cancellationToken);
            return scope;
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Connected to {System} at {Endpoint}")]
    private static partial void LogConnected(ILogger logger, string system, AmqpEndpoint endpoint);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Connecting to {System} at {Endpoint} failed; retrying in {Delay}")]
    private static partial void LogConnectFailed(ILogger logger, Exception exception, string system, AmqpEndpoint endpoint, TimeSpan delay);
}
