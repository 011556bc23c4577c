using Retail.AppHost.Orchestration;
using Retail.Postgres.Local;
using Spectre.Console;

namespace Retail.AppHost;

/// <summary>Chooses the mode (distributed when the servers can be had, embedded otherwise) and runs it until stopped.</summary>
internal static class RetailApp
{
    public static async Task<int> RunAsync(AppHostOptions options, CancellationToken cancellationToken)
    {
        using var shutdown = new ShutdownSignal(cancellationToken);
        var missing = options.Embedded ? [] : MissingForDistributedMode(options);
        try
        {
            if (options.Embedded || missing.Count > 0)
            {
                AnsiConsole.MarkupLine(options.Embedded
                    ? "[yellow]Embedded mode (--embedded): one process, in-memory storage and transport.[/]"
                    : $"[yellow]Embedded mode: one process, in-memory storage and transport, because {Markup.Escape(string.Join(" and ", missing))}. Install them (apt-get install postgresql rabbitmq-server) for the distributed mode.[/]");
                await EmbeddedApp.RunAsync(options, RepositoryLayout.Discover(), shutdown.Token);
            }
            else
            {
                await DistributedApp.RunAsync(options, RepositoryLayout.Discover(), shutdown.Token);
            }
            return 0;
        }
        catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or FileNotFoundException or PostgresNotFoundException)
        {
            AnsiConsole.MarkupLine($"[red]Retail could not start: {Markup.Escape(exception.Message)}[/]");
            return 1;
        }
        finally
        {
            Endpoints.Delete(options.EndpointsFile);
        }
    }

    /// <summary>What the distributed mode needs and this machine lacks (servers given by connection string need nothing).</summary>
    private static List<string> MissingForDistributedMode(AppHostOptions options)
    {
        var missing = new List<string>();
        if (options.PostgresConnectionString is null && PostgresLauncher.TryFindBinDirectory() is null)
        {
            missing.Add("the PostgreSQL server binaries were not found (/usr/lib/postgresql/*/bin)");
        }
        if (options.BrokerUri is null && !RabbitMqLauncher.IsInstalled)
        {
            missing.Add("rabbitmq-server was not found");
        }
        return missing;
    }
}
