using System.Globalization;
using System.Text;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>A process as /proc shows it: what it runs and what it was given, to recognise it by what it really is.</summary>
internal sealed record ProcessInfo(int Pid, int ParentPid, long StartTicks, string CommandLine, string Environment)
{
    /// <summary>Whether this very process (same pid, same start time) still exists and is not a zombie.</summary>
    public bool IsAlive() => ProcessTable.Read(Pid) is { } now && now.StartTicks == StartTicks && !now.IsZombie;

    public bool IsZombie { get; init; }

    public override string ToString() => $"{Pid}: {(CommandLine.Length > 160 ? CommandLine[..160] + "..." : CommandLine)}";
}

internal static class ProcessTable
{
    public static List<ProcessInfo> All() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is { Length: > 0 } && name.All(char.IsAsciiDigit))
            .Select(name => Read(int.Parse(name!, CultureInfo.InvariantCulture)))
            .OfType<ProcessInfo>()];

    public static ProcessInfo? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name in parentheses may hold spaces: the fields after it are space separated.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            var environment = TryRead($"/proc/{pid}/environ").Replace('\0', '\n');
            return new ProcessInfo(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture), commandLine, environment)
            {
                IsZombie = fields[0] == "Z",
            };
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The processes matching <paramref name="isOurs"/>, and every process they started.</summary>
    public static List<ProcessInfo> WithDescendants(Func<ProcessInfo, bool> isOurs)
    {
        var all = All();
        var found = all.Where(isOurs).ToDictionary(process => process.Pid);
        var grew = true;
        while (grew)
        {
            grew = false;
            foreach (var process in all.Where(process => !found.ContainsKey(process.Pid) && found.ContainsKey(process.ParentPid)))
            {
                found[process.Pid] = process;
                grew = true;
            }
        }
        return [.. found.Values.OrderBy(process => process.Pid)];
    }

    private static string TryRead(string path)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes(path));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
