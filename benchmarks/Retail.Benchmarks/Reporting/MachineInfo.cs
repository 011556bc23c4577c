using System.Runtime.InteropServices;

namespace Retail.Benchmarks.Reporting;

internal sealed record MachineInfo(int Cores, double MemoryGiB, string OperatingSystem, string Cpu, string DotNet, string PostgreSql, string Disk)
{
    public static MachineInfo Read(string postgresVersion, string dataDirectory) => new(
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024d * 1024 * 1024), 1),
        RuntimeInformation.OSDescription,
        CpuModel(),
        RuntimeInformation.FrameworkDescription,
        postgresVersion,
        DiskOf(dataDirectory));

    /// <summary>The 1-minute load average (Linux), or null.</summary>
    public static double? LoadAverage()
    {
        const string loadAverage = "/proc/loadavg";
        return File.Exists(loadAverage) && double.TryParse(File.ReadAllText(loadAverage).Split(' ')[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var load)
            ? load
            : null;
    }

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }

        var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static string DiskOf(string directory)
    {
        var drive = DriveInfo.GetDrives()
            .Where(d => directory.StartsWith(d.RootDirectory.FullName, StringComparison.Ordinal))
            .OrderByDescending(d => d.RootDirectory.FullName.Length)
            .FirstOrDefault();
        return drive is null ? "unknown" : $"{drive.DriveFormat} on {drive.RootDirectory.FullName}";
    }
}
