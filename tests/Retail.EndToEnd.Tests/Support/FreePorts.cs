using System.Net;
using System.Net.Sockets;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>Free loopback ports, never the same one twice in a test run.</summary>
internal static class FreePorts
{
    private static readonly HashSet<int> Taken = [];

    /// <summary>A free port whose next port is free too (the AppHost gives the second silo the next port).</summary>
    public static int Pair()
    {
        lock (Taken)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var port = Any();
                if (port < IPEndPoint.MaxPort && !Taken.Contains(port) && !Taken.Contains(port + 1) && IsFree(port + 1))
                {
                    Taken.Add(port);
                    Taken.Add(port + 1);
                    return port;
                }
            }
            throw new InvalidOperationException("No two consecutive free loopback ports were found.");
        }
    }

    public static int One()
    {
        lock (Taken)
        {
            while (true)
            {
                var port = Any();
                if (Taken.Add(port))
                {
                    return port;
                }
            }
        }
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int Any()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
