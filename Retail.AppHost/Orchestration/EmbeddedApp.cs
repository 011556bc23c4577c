using System.Globalization;
using Retail.Api;
using Retail.AppHost.Simulation;
using Retail.Messaging;
using Retail.Silo;
using Spectre.Console;

namespace Retail.AppHost.Orchestration;

/// <summary>
/// The embedded mode: the silo, the bridge and the API composed in this process from the same extensions their
/// own hosts use, on in-memory storage and transport.
/// </summary>
internal sealed class EmbeddedApp : IAsyncDisposable
{
    private EmbeddedApp(WebApplication app, Uri address, DevelopmentToken token, WebhookSecrets secrets)
    {
        App = app;
        Address = address;
        Token = token;
        Secrets = secrets;
    }

    public WebApplication App { get; }

    /// <summary>The API, the dashboard and the webhooks: one address.</summary>
    public Uri Address { get; }

    public DevelopmentToken Token { get; }

    public WebhookSecrets Secrets { get; }

    public IMessagePublisher Publisher => App.Services.GetRequiredService<IMessagePublisher>();

    public IMessageProcessorFactory Processors => App.Services.GetRequiredService<IMessageProcessorFactory>();

    public static async Task RunAsync(AppHostOptions options, RepositoryLayout layout, CancellationToken cancellationToken)
    {
        await using var embedded = await StartAsync(options, layout, cancellationToken);
        var api = embedded.Address.ToString().TrimEnd('/');
        var endpoints = new Endpoints()
            .Add("api", api, "REST API, /api/v1")
            .Add("ops", $"{api}/ops", "operations dashboard")
            .Add("openapi", $"{api}/scalar", "interactive API reference (document at /openapi/v1.json)")
            .Add("bridge", api, "webhook bridge (same process)")
            .Add("webhook-shopify", $"{api}/webhooks/shopify", "Shopify webhooks")
            .Add("webhook-stripe", $"{api}/webhooks/stripe", "Stripe webhooks")
            .Add("webhook-events", $"{api}/webhooks/events/{{source}}", "CloudEvents sources (pos, marketplace, wms)");
        endpoints.Print("embedded: one process, in-memory storage and transport");
        await endpoints.WriteAsync(options.EndpointsFile);
        await DevelopmentToken.PrintAndSaveAsync(embedded.Token.Mint(TimeSpan.FromHours(12)), options.StateDirectory);
        AnsiConsole.MarkupLine("Press Ctrl+C to stop.");
        try
        {
            if (options.Simulate)
            {
                var target = new SimulationTarget(embedded.Address, embedded.Address, embedded.Token, embedded.Secrets, embedded.Publisher, embedded.Processors);
                await Simulator.RunAsync(target, cancellationToken);
            }
            else
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        finally
        {
            AnsiConsole.MarkupLine("Stopping...");
            DevelopmentToken.Delete(options.StateDirectory);
        }
    }

    /// <summary>Starts the whole app in this process and waits until it is healthy.</summary>
    public static async Task<EmbeddedApp> StartAsync(AppHostOptions options, RepositoryLayout layout, CancellationToken cancellationToken)
    {
        Health.EnsurePortFree("the API", options.ApiPort);
        Health.EnsurePortFree("the silo", options.SiloPort);
        Health.EnsurePortFree("the silo's gateway", options.GatewayPort);
        var token = new DevelopmentToken();
        var secrets = WebhookSecrets.FromEnvironmentOrDevelopment();
        var address = new Uri($"http://127.0.0.1:{options.ApiPort}");

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Development,
            ContentRootPath = layout.ProjectDirectory("Retail.Api"),
            ApplicationName = "Retail.Api",
        });
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [RetailOrleansHosting.EmbeddedKey] = "true",
            ["Orleans:Membership"] = "Localhost",
            ["Orleans:Storage"] = "Memory",
            ["Orleans:SiloPort"] = options.SiloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = options.GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Messaging:Transport"] = "InMemory",
        };
        foreach (var (key, value) in token.Environment.Concat(secrets.Environment))
        {
            settings[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls(address.ToString());
        // The same composition as Retail.Api's Program.cs: with Retail:Embedded set it hosts the silo and the bridge.
        builder.AddServiceDefaults();
        builder.AddRetailOrleans();
        builder.AddRetailApi();
        builder.AddRetailBridgeWhenEmbedded();

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapRetailApi();
        app.MapRetailBridgeWhenEmbedded();
        var embedded = new EmbeddedApp(app, address, token, secrets);
        try
        {
            await app.StartAsync(cancellationToken);
            await Health.WaitHealthyAsync("Retail", new Uri(address, "/health"), () => false, TimeSpan.FromMinutes(1), cancellationToken);
            return embedded;
        }
        catch
        {
            await embedded.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
