using System.Text.Json;
using Spectre.Console;

namespace Retail.AppHost.Orchestration;

/// <summary>What runs where: printed as a table and written to <c>.retail/endpoints.json</c> once everything is healthy.</summary>
internal sealed class Endpoints
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly List<(string Service, string Url, string What)> _rows = [];

    public Endpoints Add(string service, string url, string what)
    {
        _rows.Add((service, url, what));
        return this;
    }

    public void Print(string mode)
    {
        var table = new Table().Title($"[bold]Retail is running ({Markup.Escape(mode)})[/]").AddColumns("service", "address", "what");
        foreach (var (service, url, what) in _rows)
        {
            table.AddRow(Markup.Escape(service), $"[link]{Markup.Escape(url)}[/]", Markup.Escape(what));
        }
        AnsiConsole.Write(table);
    }

    /// <summary>Writes service name -> base URL as JSON (atomically, so a reader never sees half a file).</summary>
    public async Task WriteAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var map = _rows.ToDictionary(row => row.Service, row => row.Url, StringComparer.Ordinal);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(map, Indented));
        File.Move(temporary, path, overwrite: true);
    }

    public static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
