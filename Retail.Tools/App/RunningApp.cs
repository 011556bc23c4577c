using System.CommandLine;
using System.Text.Json;

namespace Retail.Tools.App;

/// <summary>The running app as <c>.retail/endpoints.json</c> describes it (written by the AppHost once every resource is healthy).</summary>
internal sealed class RunningApp(IReadOnlyDictionary<string, string> endpoints)
{
    public static Option<string> StateDirectoryOption() => new("--state-dir")
    {
        Description = "The running app's state directory (default: .retail at the repository root).",
        Recursive = true,
        DefaultValueFactory = _ => Path.Combine(RepositoryRoot(), ".retail"),
    };

    /// <summary>The running app, or null with the reason written to stderr.</summary>
    public static async Task<RunningApp?> FindAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var file = Path.Combine(stateDirectory, "endpoints.json");
        if (!File.Exists(file))
        {
            await Console.Error.WriteLineAsync($"{file} not found: start the app first (dotnet run --project Retail.AppHost) and wait until it says Retail is running.");
            return null;
        }
        var endpoints = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(file, cancellationToken)) ?? [];
        return new RunningApp(endpoints);
    }

    public string? this[string service] => endpoints.GetValueOrDefault(service);

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Retail.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
