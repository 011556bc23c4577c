using System.Globalization;

namespace Retail.Benchmarks.Hosting;

/// <summary>Resident memory (VmRSS, from /proc on Linux) of named processes, in MiB.</summary>
internal static class MemoryMeter
{
    public static Dictionary<string, double> Read(IReadOnlyDictionary<string, int> processes)
    {
        var resident = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux())
        {
            return resident;
        }

        foreach (var (name, pid) in processes)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                if (line is not null)
                {
                    var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    resident[name] = kilobytes / 1024d;
                }
            }
            catch (IOException)
            {
            }
        }

        return resident;
    }
}
