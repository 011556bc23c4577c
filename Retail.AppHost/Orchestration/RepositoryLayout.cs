namespace Retail.AppHost.Orchestration;

/// <summary>Where the services the AppHost launches were built: next to this AppHost, in the same repository and configuration.</summary>
internal sealed record RepositoryLayout(string Root, string Configuration)
{
    public static RepositoryLayout Discover()
    {
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = baseDirectory.Name;
        var configuration = baseDirectory.Parent?.Name ?? "Debug";
        for (var directory = baseDirectory; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Retail.sln")))
            {
                return new RepositoryLayout(directory.FullName, configuration) { Framework = framework };
            }
        }
        throw new InvalidOperationException($"Retail.sln was not found above {AppContext.BaseDirectory}; run the AppHost from the repository.");
    }

    public string Framework { get; init; } = "net10.0";

    /// <summary>The built entry assembly of a service project (built with the AppHost: it references every service).</summary>
    public string ServiceAssembly(string project)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, Framework, project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built at {path}. Build the solution first (dotnet build).", path);
    }

    public string ProjectDirectory(string project) => Path.Combine(Root, project);
}
