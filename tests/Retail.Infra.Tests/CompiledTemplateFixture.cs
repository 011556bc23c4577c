using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Retail.Infra.Tests;

/// <summary>
/// Compiles infra/main.bicep once per test run with eng/bicep.sh (which fails on any Bicep warning) into a
/// private directory, and exposes the ARM JSON.
/// </summary>
public sealed class CompiledTemplateFixture : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private readonly string outputDirectory;

    public CompiledTemplateFixture()
    {
        RepositoryRoot = FindRepositoryRoot();
        outputDirectory = Path.Combine(Path.GetTempPath(), "retail-infra-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outputDirectory);
        BuildOutput = RunBicepScript(RepositoryRoot, outputDirectory);
        var json = File.ReadAllText(Path.Combine(outputDirectory, "main.json"));
        Main = new ArmTemplate((JsonObject)JsonNode.Parse(json)!);
    }

    public string RepositoryRoot { get; }

    public string BuildOutput { get; }

    public ArmTemplate Main { get; }

    public void Dispose() => Directory.Delete(outputDirectory, recursive: true);

    private static string FindRepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Retail.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName
            ?? throw new InvalidOperationException($"Retail.sln not found above {AppContext.BaseDirectory}.");
    }

    private static string RunBicepScript(string repositoryRoot, string output)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repositoryRoot,
        };
        startInfo.ArgumentList.Add(Path.Combine(repositoryRoot, "eng", "bicep.sh"));
        startInfo.ArgumentList.Add(output);

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException("bash could not be started.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(BuildTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"eng/bicep.sh did not finish within {BuildTimeout}.");
        }

        var text = standardOutput.Result + standardError.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"eng/bicep.sh failed with exit code {process.ExitCode}:\n{text}");
        }

        return text;
    }
}

[CollectionDefinition(Name)]
public sealed class CompiledTemplateCollection : ICollectionFixture<CompiledTemplateFixture>
{
    public const string Name = "Compiled template";
}
