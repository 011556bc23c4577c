using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Retail.AppHost.LocalServices;

/// <summary>Where PostgreSQL and RabbitMQ come from locally (<c>LocalServices</c>, default <see cref="Auto"/>).</summary>
public enum LocalServicesMode
{
    /// <summary>Containers when a container runtime answers healthy, else Binaries when the Debian binaries exist, else Embedded.</summary>
    Auto,
    /// <summary>Aspire's PostgreSQL and RabbitMQ container resources.</summary>
    Containers,
    /// <summary>Private PostgreSQL and RabbitMQ instances from the machine's binaries, as executable resources.</summary>
    Binaries,
    /// <summary>The API as one process with the silo and the bridge inside, on in-memory storage and transport.</summary>
    Embedded,
}

/// <summary>Resolves <c>LocalServices</c> (and <c>--embedded</c>) to the mode the AppHost runs.</summary>
public static class LocalServicesChoice
{
    public const string Key = "LocalServices";
    private const string EmbeddedSwitch = "--embedded";
    private static readonly TimeSpan RuntimeProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The arguments without <c>--embedded</c>, which the configuration's command line would not parse.</summary>
    public static string[] WithoutEmbeddedSwitch(string[] args) => [.. args.Where(arg => arg != EmbeddedSwitch)];

    public static LocalServicesMode Choose(IConfiguration configuration, string[] args)
    {
        if (args.Contains(EmbeddedSwitch))
        {
            return LocalServicesMode.Embedded;
        }
        var configured = configuration[Key];
        var mode = string.IsNullOrWhiteSpace(configured)
            ? LocalServicesMode.Auto
            : Enum.TryParse<LocalServicesMode>(configured, ignoreCase: true, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{Key} = '{configured}': use Auto, Containers, Binaries or Embedded.");
        if (mode != LocalServicesMode.Auto)
        {
            return mode;
        }
        if (ContainerRuntimeIsHealthy(configuration))
        {
            return LocalServicesMode.Containers;
        }
        return PostgresBinaries.Find() is not null && RabbitMqBinaries.Find() is not null ? LocalServicesMode.Binaries : LocalServicesMode.Embedded;
    }

    /// <summary>Whether the container runtime Aspire would use (<c>ASPIRE_CONTAINER_RUNTIME</c>, default docker) answers <c>info</c>.</summary>
    private static bool ContainerRuntimeIsHealthy(IConfiguration configuration)
    {
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] is { Length: > 0 } named ? named : "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(RuntimeProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
