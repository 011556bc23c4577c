using System.Diagnostics;

namespace Retail.AppHost.LocalServices;

/// <summary>
/// Runs a server binary as its own system user when the AppHost runs as root (PostgreSQL refuses root; RabbitMQ's files
/// belong to rabbitmq). <c>setpriv</c> executes the binary in place, so the stop signal reaches the server itself.
/// </summary>
internal static class ServiceUser
{
    public static (string Command, string[] Arguments) Command(string user, string[] command) =>
        Environment.IsPrivilegedProcess
            ? ("setpriv", [$"--reuid={user}", $"--regid={user}", "--init-groups", "--", .. command])
            : (command[0], command[1..]);

    public static async Task ChownAsync(string user, string directory, CancellationToken cancellationToken)
    {
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync(("chown", ["-R", $"{user}:{user}", directory]), null, cancellationToken);
        }
    }

    public static async Task RunAsync((string Command, string[] Arguments) command, string? input, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(command.Command, command.Arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{command.Command} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command.Command} {string.Join(' ', command.Arguments)} exited with {process.ExitCode}:\n{await output}\n{await errors}");
        }
    }
}
