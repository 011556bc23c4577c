namespace Retail.Functions.Tests;

/// <summary>The realistic payloads under {Source}/Samples, copied to the test output.</summary>
public static class Samples
{
    public static string Path(string source, string name) => System.IO.Path.Combine(AppContext.BaseDirectory, source, "Samples", name);

    public static string Read(string source, string name) => File.ReadAllText(Path(source, name));

    public static byte[] Bytes(string source, string name) => File.ReadAllBytes(Path(source, name));

    public static IEnumerable<string> Names(string source) =>
        Directory.EnumerateFiles(System.IO.Path.Combine(AppContext.BaseDirectory, source, "Samples"), "*.json").Select(System.IO.Path.GetFileName).Order()!;
}
