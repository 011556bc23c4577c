using System.Net;
using System.Net.Sockets;

namespace Retail.AppHost.Orchestration;

internal static class Health
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Polls <paramref name="url"/> until it answers 200, the process dies, or the timeout passes.</summary>
    public static async Task WaitHealthyAsync(string name, Uri url, Func<bool> hasExited, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (hasExited())
            {
                throw new InvalidOperationException($"{name} exited before it became healthy.");
            }
            try
            {
                using var response = await Client.GetAsync(url, cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException exception)
            {
                last = exception.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "timed out";
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
        throw new TimeoutException($"{name} was not healthy at {url} within {timeout.TotalSeconds:0} s (last answer: {last}).");
    }

    /// <summary>Fails clearly when a port the AppHost is about to give a service is taken.</summary>
    public static void EnsurePortFree(string what, int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
        catch (SocketException)
        {
            throw new InvalidOperationException($"Port {port} for {what} is in use. Stop what uses it, or choose another port (see --help).");
        }
    }
}
