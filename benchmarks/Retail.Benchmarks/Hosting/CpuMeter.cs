using System.Globalization;

namespace Retail.Benchmarks.Hosting;

/// <summary>
/// CPU time (user + system) consumed so far by named processes, read from /proc (Linux): the target's child
/// processes, every PostgreSQL backend, and this load generator. Differences around a run show where the CPU went.
/// </summary>
internal static class CpuMeter
{
    public const string Postgres = "postgres";
    public const string LoadGenerator = "load-generator";

    private static readonly double TicksPerSecond = 100;

    public static Dictionary<string, double> Read(IReadOnlyDictionary<string, int> processes)
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux())
        {
            return seconds;
        }

        foreach (var (name, pid) in processes)
        {
            if (Read(pid) is { } used)
            {
                seconds[name] = used.Seconds;
            }
        }

        seconds[LoadGenerator] = Environment.ProcessId is var self && Read(self) is { } own ? own.Seconds : 0;
        var postgres = 0d;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { Command: Postgres } used)
            {
                // The postmaster's reaped-children time keeps the CPU of backends that exited (closed pool connections).
                postgres += used.Seconds + used.ReapedChildrenSeconds;
            }
        }

        seconds[Postgres] = postgres;
        return seconds;
    }

    private static (string Command, double Seconds, double ReapedChildrenSeconds)? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var children = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            return (stat[(open + 1)..close], ticks / TicksPerSecond, children / TicksPerSecond);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
