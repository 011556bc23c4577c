namespace Retail.AppHost.Development;

/// <summary>
/// A referenced project run from its build output (<c>dotnet Project.dll</c>) as an executable resource, for a project
/// whose <c>dotnet run</c> starts something else: an Azure Functions worker project's <c>dotnet run</c> starts the
/// Functions Core Tools, which do not exist locally, while the worker itself serves its functions with ASP.NET Core
/// when no Functions host started it.
/// </summary>
public static class BuiltProjects
{
    public static IResourceBuilder<ExecutableResource> AddBuiltProject<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var project = new TProject().ProjectPath;
        var directory = Path.GetDirectoryName(project)!;
        var assembly = Path.Combine(directory, "bin", BuildConfiguration(), "net10.0", Path.GetFileNameWithoutExtension(project) + ".dll");
        return builder.AddExecutable(name, "dotnet", directory, assembly)
            .WithOtlpExporter()
            .WithIconName("CodeCircle");
    }

    /// <summary>The configuration the AppHost was built in (its output is bin/{configuration}/{framework}), which its project references share.</summary>
    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";
}
