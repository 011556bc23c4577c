using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Retail.Contracts.Outbox;

namespace Retail.Grains.Outbox;

/// <summary>
/// Finds grains whose stored outbox holds undelivered effects (<see cref="IPendingOutboxIndex"/>) once the silo is active
/// and then every <see cref="OutboxRelayOptions.ScanInterval"/>, and wakes each one to deliver them: after a silo failure
/// or a restart, nothing waits for the grain's next call.
/// </summary>
internal sealed partial class OutboxRelayScanner(
    IPendingOutboxIndex index, OutboxRelay relay, ILocalSiloDetails silo, IGrainFactory grains, IOptions<OutboxRelayOptions> options,
    TimeProvider time, ILogger<OutboxRelayScanner> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How often the silo reports its backlog to <see cref="IOutboxBacklogGrain"/>.</summary>
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _scanning;
    private Task? _reporting;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(OutboxRelayScanner), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _scanning = Task.Run(ScanForeverAsync, CancellationToken.None);
        _reporting = Task.Run(ReportForeverAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        foreach (var loop in new[] { _scanning, _reporting })
        {
            if (loop is not null)
            {
                await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task ReportForeverAsync()
    {
        var token = _stopping.Token;
        var backlog = grains.GetGrain<IOutboxBacklogGrain>(IOutboxBacklogGrain.Key);
        while (!token.IsCancellationRequested)
        {
            try
            {
                await backlog.ReportAsync(silo.SiloAddress.ToParsableString(), relay.Backlog);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogReportFailed(logger, exception);
            }
            try
            {
                await Task.Delay(ReportInterval, time, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ScanForeverAsync()
    {
        var token = _stopping.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var woken = await ScanOnceAsync(token);
                if (woken > 0)
                {
                    LogWoken(logger, woken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !token.IsCancellationRequested)
            {
                LogScanFailed(logger, exception);
            }
            try
            {
                await Task.Delay(options.Value.ScanInterval, time, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Wakes every grain the index lists (up to the batch size); answers how many.</summary>
    public async Task<int> ScanOnceAsync(CancellationToken cancellationToken)
    {
        var pending = await index.ListPendingAsync(options.Value.ScanBatchSize, cancellationToken);
        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (grainId, _) =>
        {
            try
            {
                await grains.GetGrain<IOutboxGrain>(grainId).DrainAsync();
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogWakeFailed(logger, exception, grainId.ToString());
            }
        });
        return pending.Count;
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay woke {Count} grain(s) with undelivered effects")]
    private static partial void LogWoken(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay scan failed; scanning again later")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reporting the outbox backlog failed; reporting again later")]
    private static partial void LogReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay could not wake {GrainId}; trying again at the next scan")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, string grainId);
}
