using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Retail.AppHost.LocalServices;

namespace Retail.AppHost.Development;

/// <summary>
/// Once the API and the bridge are healthy (and through their waits everything they need), prints what runs where and
/// writes <c>.retail/endpoints.json</c> and <c>.retail/dev-token</c>, the machine-readable handle on the running app;
/// removes both when the app stops.
/// </summary>
internal sealed partial class StateFiles(
    StateDirectory state,
    RetailDevelopment development,
    IResourceBuilder<ProjectResource> api,
    IResourceBuilder<IResourceWithEndpoints> bridge,
    BackingServices? services,
    ResourceNotificationService notifications,
    IConfiguration configuration,
    ILogger<StateFiles> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromHours(12);

    public string EndpointsFile => Path.Combine(state.Path, "endpoints.json");

    public string TokenFile => Path.Combine(state.Path, "dev-token");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await notifications.WaitForResourceHealthyAsync(api.Resource.Name, stoppingToken);
        await notifications.WaitForResourceHealthyAsync(bridge.Resource.Name, stoppingToken);

        var apiUrl = api.GetEndpoint("http").Url;
        var bridgeUrl = bridge.GetEndpoint("http").Url;
        var endpoints = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["api"] = apiUrl,
            ["ops"] = $"{apiUrl}/ops",
            ["openapi"] = $"{apiUrl}/scalar",
            ["bridge"] = bridgeUrl,
            ["webhook-shopify"] = $"{bridgeUrl}/webhooks/shopify",
            ["webhook-stripe"] = $"{bridgeUrl}/webhooks/stripe",
            ["webhook-events"] = $"{bridgeUrl}/webhooks/events/{{source}}",
        };
        if (DashboardUrl() is { } dashboard)
        {
            endpoints["dashboard"] = dashboard;
        }
        if (services is not null)
        {
            foreach (var silo in api.ApplicationBuilder.Resources.OfType<ProjectResource>().Where(resource => resource.Name == "silo"))
            {
                endpoints["silo"] = silo.GetEndpoint("http").Url;
                endpoints["orleans-dashboard"] = silo.GetEndpoint("orleans-dashboard").Url;
            }
            endpoints["broker"] = await services.Messaging.Resource.ConnectionStringExpression.GetValueAsync(stoppingToken) ?? string.Empty;
            endpoints["broker-management"] = services.BrokerManagement.Url;
            endpoints["postgres"] = WithoutPassword(await services.Database.Resource.ConnectionStringExpression.GetValueAsync(stoppingToken));
        }

        Directory.CreateDirectory(state.Path);
        await WriteAtomicallyAsync(EndpointsFile, JsonSerializer.Serialize(endpoints, Indented), stoppingToken);
        await WriteAtomicallyAsync(TokenFile, development.MintToken(TokenLifetime), stoppingToken);

        LogRunning(logger, EndpointsFile);
        foreach (var (service, url) in endpoints.Where(entry => entry.Key is not ("broker" or "postgres")))
        {
            LogEndpoint(logger, service, url);
        }
        LogToken(logger, TokenFile);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        File.Delete(EndpointsFile);
        File.Delete(TokenFile);
    }

    /// <summary>The Aspire dashboard's login address: its URL with the browser token of this run.</summary>
    private string? DashboardUrl()
    {
        var url = configuration["ASPNETCORE_URLS"]?.Split(';').FirstOrDefault();
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        return configuration["AppHost:BrowserToken"] is { Length: > 0 } token ? $"{url.TrimEnd('/')}/login?t={token}" : url;
    }

    private static string WithoutPassword(string? connectionString) =>
        string.Join(';', (connectionString ?? string.Empty).Split(';').Where(part => !part.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)));

    private static async Task WriteAtomicallyAsync(string path, string content, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, content, cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retail is running; what runs where is in {File}:")]
    private static partial void LogRunning(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "  {Service,-18} {Url}")]
    private static partial void LogEndpoint(ILogger logger, string service, string url);

    [LoggerMessage(Level = LogLevel.Information, Message = "A bearer token with every scope (valid 12 h) is in {File}; mint others with: dotnet run --project Retail.Tools -- token --help")]
    private static partial void LogToken(ILogger logger, string file);
}

public static class StateFilesExtensions
{
    public static IDistributedApplicationBuilder AddStateFiles(
        this IDistributedApplicationBuilder builder, RetailDevelopment development,
        IResourceBuilder<ProjectResource> api, IResourceBuilder<IResourceWithEndpoints> bridge, BackingServices? broker)
    {
        var state = StateDirectory.From(builder);
        builder.Services.AddHostedService(provider => new StateFiles(
            state, development, api, bridge, broker,
            provider.GetRequiredService<ResourceNotificationService>(),
            provider.GetRequiredService<IConfiguration>(),
            provider.GetRequiredService<ILogger<StateFiles>>()));
        return builder;
    }
}
