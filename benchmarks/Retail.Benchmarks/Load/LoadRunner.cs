using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Retail.Benchmarks.Load;

/// <summary>
/// Sends order payloads to <c>POST {path}</c>: closed-loop (N workers, each sends its next order when the last
/// one is answered) or open-loop (orders sent at fixed intended times whatever the answers; latency is measured
/// from the intended send time, so a stalled server cannot hide its queueing: no coordinated omission).
/// </summary>
internal sealed class LoadRunner(HttpClient client, Uri ordersUrl)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private const int MaxOpenLoopInFlight = 4096;

    public async Task<IntakeMeasurement> RunClosedAsync(Func<int, byte[]> payload, int count, TimeSpan? duration, int concurrency, Action<int>? progress, CancellationToken cancellationToken)
    {
        var recorder = new Recorder(count);
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= count || (duration is { } limit && stopwatch.Elapsed >= limit))
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                await SendAsync(payload(index), index, started, recorder, cancellationToken);
                progress?.Invoke(recorder.Completed);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        stopwatch.Stop();
        cancellationToken.ThrowIfCancellationRequested();
        return recorder.Measure(stopwatch.Elapsed);
    }

    public async Task<IntakeMeasurement> RunOpenAsync(Func<int, byte[]> payload, int count, double ratePerSecond, Action<int>? progress, CancellationToken cancellationToken)
    {
        var recorder = new Recorder(count);
        using var inFlight = new SemaphoreSlim(MaxOpenLoopInFlight);
        var pending = new List<Task>(count);
        var start = Stopwatch.GetTimestamp();
        var ticksPerOrder = Stopwatch.Frequency / ratePerSecond;
        for (var index = 0; index < count && !cancellationToken.IsCancellationRequested; index++)
        {
            var intended = start + (long)(index * ticksPerOrder);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), intended);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            await inFlight.WaitAsync(cancellationToken);
            var body = payload(index);
            var i = index;
            pending.Add(Task.Run(async () =>
            {
                try
                {
                    await SendAsync(body, i, intended, recorder, cancellationToken);
                    progress?.Invoke(recorder.Completed);
                }
                finally
                {
                    inFlight.Release();
                }
            }, cancellationToken));
        }

        await Task.WhenAll(pending);
        cancellationToken.ThrowIfCancellationRequested();
        return recorder.Measure(Stopwatch.GetElapsedTime(start));
    }

    private async Task SendAsync(byte[] body, int index, long startedTimestamp, Recorder recorder, CancellationToken cancellationToken)
    {
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            using var response = await client.PostAsync(ordersUrl, content, cancellationToken);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var latency = Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds;
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK && TryReadAcknowledgement(bytes) is { } acknowledged)
            {
                recorder.Acknowledge(index, acknowledged, latency);
            }
            else
            {
                recorder.Fail(index, "HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), latency);
            }
        }
        catch (HttpRequestException exception)
        {
            recorder.Fail(index, exception.HttpRequestError.ToString(), Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            recorder.Fail(index, "timeout", Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds);
        }
    }

    private static AcknowledgedOrder? TryReadAcknowledgement(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.TryGetProperty("orderId", out var orderId) && root.TryGetProperty("status", out var status)
                ? new AcknowledgedOrder(orderId.GetString() ?? "", status.ToString())
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Latencies by request index (only answered requests count), acknowledgements and errors.</summary>
    private sealed class Recorder(int capacity)
    {
        private readonly double[] latencies = new double[capacity];
        private readonly bool[] recorded = new bool[capacity];
        private readonly ConcurrentQueue<AcknowledgedOrder> acknowledged = new();
        private readonly ConcurrentDictionary<string, int> errors = new(StringComparer.Ordinal);
        private int completed;
        private int sent;

        public int Completed => Volatile.Read(ref completed);

        public void Acknowledge(int index, AcknowledgedOrder order, double latency)
        {
            acknowledged.Enqueue(order);
            Record(index, latency);
        }

        public void Fail(int index, string reason, double latency)
        {
            errors.AddOrUpdate(reason, 1, (_, n) => n + 1);
            Record(index, latency);
        }

        public IntakeMeasurement Measure(TimeSpan elapsed)
        {
            var values = new List<double>(sent);
            for (var i = 0; i < latencies.Length; i++)
            {
                if (recorded[i])
                {
                    values.Add(latencies[i]);
                }
            }

            return new IntakeMeasurement
            {
                Sent = sent,
                Acknowledged = [.. acknowledged],
                Errors = new Dictionary<string, int>(errors, StringComparer.Ordinal),
                Latency = LatencySummary.Of(values),
                Elapsed = elapsed,
            };
        }

        private void Record(int index, double latency)
        {
            latencies[index] = latency;
            recorded[index] = true;
            Interlocked.Increment(ref sent);
            Interlocked.Increment(ref completed);
        }
    }
}
