namespace Retail.Benchmarks.Hosting;

/// <summary>Finds the repository root and the built assemblies of the projects the benchmark starts.</summary>
internal static class SolutionLayout
{
    public static string Root { get; } = FindRoot();

    /// <summary>The configuration this tool was built in (Debug or Release), read from its own output path.</summary>
    public static string Configuration { get; } = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar))!) ?? "Release";

    /// <summary><c>&lt;root&gt;/&lt;project&gt;/bin/&lt;configuration&gt;/net10.0/&lt;project&gt;.dll</c>, which must exist.</summary>
    public static string AssemblyOf(string project)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{project} is not built in {Configuration}: '{path}' is missing. Build the benchmark project (it builds {project} too).", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Retail.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above '{AppContext.BaseDirectory}' holds Retail.sln.");
    }
}
