using System.Diagnostics;
using System.Runtime.InteropServices;
using Spectre.Console;

namespace Retail.AppHost.Orchestration;

/// <summary>
/// A service the AppHost started as a child process: its output is merged into the console with a coloured
/// prefix; it is stopped gracefully (SIGTERM, then a kill after a grace period) and never restarted silently.
/// </summary>
internal sealed partial class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(15);
    private readonly Process _process;
    private readonly string _prefix;
    private bool _stopping;

    private ChildProcess(string name, Process process, string colour)
    {
        Name = name;
        _process = process;
        _prefix = $"[{colour}]{Markup.Escape(name.PadRight(9))}|[/] ";
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Raised when the process ends without having been asked to stop.</summary>
    public event Action<ChildProcess, int>? ExitedUnexpectedly;

    public static ChildProcess Start(string name, string colour, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, colour);
        process.OutputDataReceived += (_, line) => child.Write(line.Data);
        process.ErrorDataReceived += (_, line) => child.Write(line.Data);
        process.Exited += (_, _) =>
        {
            if (!child._stopping)
            {
                child.ExitedUnexpectedly?.Invoke(child, process.ExitCode);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Write(string? line)
    {
        if (line is not null)
        {
            AnsiConsole.MarkupLine(_prefix + Markup.Escape(line));
        }
    }

    /// <summary>Asks the process to stop (SIGTERM) and kills it with its children if it has not after the grace period.</summary>
    public async Task StopAsync()
    {
        _stopping = true;
        if (_process.HasExited)
        {
            return;
        }
        if (OperatingSystem.IsWindows() || Kill(_process.Id, SigTerm) != 0)
        {
            _process.Kill(entireProcessTree: true);
        }
        using var grace = new CancellationTokenSource(GracePeriod);
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>Kills the process at once (the end-to-end tests use this to simulate a crash).</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int processId, int signal);
}
