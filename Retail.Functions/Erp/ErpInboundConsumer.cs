using Microsoft.Extensions.Options;
using Retail.Contracts.Erp;
using Retail.Messaging;

namespace Retail.Functions.Erp;

/// <summary>Options of the ERP consumer (section <c>Bridge:ErpInbound</c>).</summary>
internal sealed class ErpInboundOptions
{
    public const string SectionName = "Bridge:ErpInbound";

    /// <summary>False to run the webhooks without consuming <c>erp-inbound</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many sessions (orders, stock positions) are handled at once.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>
    /// The largest body accepted, in bytes (256 KiB by default, Service Bus Standard's limit); a larger message is
    /// dead-lettered as <c>MessageTooLarge</c> without being read.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;
}

/// <summary>
/// Consumes <c>erp-inbound</c> with sessions (each order's or stock position's messages in order, one at a time) for
/// as long as the host runs; if the broker cannot be reached at start, it keeps trying.
/// </summary>
internal sealed partial class ErpInboundConsumer(
    IServiceProvider services, ErpInboundHandler handler, IOptions<ErpInboundOptions> options, TimeProvider time,
    ILogger<ErpInboundConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            LogDisabled(logger);
            return;
        }
        var processors = services.GetService<IMessageProcessorFactory>()
            ?? throw new InvalidOperationException(
                "The ERP consumer needs Retail.Messaging's IMessageProcessorFactory (AddRetailMessaging); or set Bridge:ErpInbound:Enabled=false.");
        var processorOptions = new ProcessorOptions { Sessions = true, MaxConcurrency = options.Value.MaxConcurrency };
        var backoff = TimeSpan.FromSeconds(1);
        IAsyncDisposable? processor = null;
        while (processor is null)
        {
            try
            {
                processor = await processors.StartAsync(Entities.ErpInbound, handler.HandleAsync, processorOptions, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogStartFailed(logger, exception, backoff);
                await Task.Delay(backoff, time, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        LogStarted(logger, Entities.ErpInbound);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // The host is stopping: fall through to the graceful stop below.
        }
        await processor.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ERP consumer disabled (Bridge:ErpInbound:Enabled=false)")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Entity} with sessions")]
    private static partial void LogStarted(ILogger logger, string entity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start consuming erp-inbound; retrying in {Backoff}")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, TimeSpan backoff);
}
