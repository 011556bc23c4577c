using System.Diagnostics;
using System.Globalization;

namespace Retail.Benchmarks.Load;

/// <summary>Open-loop GETs at a fixed rate until stopped; latency from the intended send time.</summary>
internal sealed class ReadProbe(HttpClient client, Uri url, double ratePerSecond)
{
    public async Task<(LatencySummary Latency, IReadOnlyDictionary<string, int> Errors)> RunAsync(CancellationToken stop)
    {
        var latencies = new List<double>();
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        var pending = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        var ticksPerRead = Stopwatch.Frequency / ratePerSecond;
        for (var index = 0; !stop.IsCancellationRequested; index++)
        {
            var intended = start + (long)(index * ticksPerRead);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), intended);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            pending.Add(ReadAsync(intended));
        }

        await Task.WhenAll(pending);
        return (LatencySummary.Of(latencies), errors);

        async Task ReadAsync(long intended)
        {
            string? error;
            try
            {
                using var response = await client.GetAsync(url, CancellationToken.None);
                _ = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                error = response.IsSuccessStatusCode ? null : "HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException exception)
            {
                error = exception.HttpRequestError.ToString();
            }
            catch (TaskCanceledException)
            {
                error = "timeout";
            }

            var latency = Stopwatch.GetElapsedTime(intended).TotalMilliseconds;
            lock (latencies)
            {
                if (error is null)
                {
                    latencies.Add(latency);
                }
                else
                {
                    errors[error] = errors.GetValueOrDefault(error) + 1;
                }
            }
        }
    }
}
