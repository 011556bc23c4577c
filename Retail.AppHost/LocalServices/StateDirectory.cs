namespace Retail.AppHost.LocalServices;

/// <summary>
/// The state directory, <c>.retail</c> at the repository root (<c>StateDirectory</c> overrides it): the servers' data,
/// and the running app's <c>endpoints.json</c> and <c>dev-token</c>.
/// </summary>
public sealed class StateDirectory(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    public static StateDirectory From(IDistributedApplicationBuilder builder) =>
        new(builder.Configuration["StateDirectory"] is { Length: > 0 } configured
            ? configured
            : System.IO.Path.Combine(RepositoryRoot(builder.AppHostDirectory), ".retail"));

    public string Subdirectory(string name)
    {
        var directory = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>The folder holding Retail.sln above the AppHost's project folder.</summary>
    private static string RepositoryRoot(string appHostDirectory)
    {
        for (var directory = new DirectoryInfo(appHostDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Retail.sln")))
            {
                return directory.FullName;
            }
        }
        return appHostDirectory;
    }
}
