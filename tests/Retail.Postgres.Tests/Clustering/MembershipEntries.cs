using System.Net;

namespace Retail.Postgres.Tests.Clustering;

internal static class MembershipEntries
{
    private static int nextPort = 20000;

    public static MembershipEntry Create(SiloStatus status = SiloStatus.Joining, int proxyPort = 30000, DateTime? iAmAlive = null)
    {
        var port = Interlocked.Increment(ref nextPort);
        var now = DateTime.UtcNow;
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 42),
            SiloName = $"silo-{port}",
            HostName = "test-host",
            Status = status,
            ProxyPort = proxyPort,
            RoleName = "Retail.Silo",
            UpdateZone = 1,
            FaultZone = 2,
            StartTime = now.AddMinutes(-1),
            IAmAliveTime = iAmAlive ?? now,
            SuspectTimes = [],
        };
    }
}
