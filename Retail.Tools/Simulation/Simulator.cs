using System.Net.Http.Headers;

using Retail.Messaging;
using Spectre.Console;

namespace Retail.Tools.Simulation;

/// <summary>Where the simulation sends its traffic, and the transport its ERP stand-in listens on.</summary>
internal sealed record SimulationTarget(Uri Api, Uri Bridge, string BearerToken, WebhookSecrets Secrets, IMessagePublisher Publisher, IMessageProcessorFactory Processors);

/// <summary>
/// <c>simulate</c>: a living system for the dashboard. Sets up locations and stock, then keeps sending Shopify
/// orders (paid through Shopify), web orders through the API paid by Stripe, cancellations and returns, while a
/// stand-in ERP accepts, ships, invoices and now and then rejects, and sends stock counts that differ a little.
/// </summary>
internal static class Simulator
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(45);

    public static async Task RunAsync(SimulationTarget target, CancellationToken cancellationToken)
    {
        var random = new Random();
        var counters = new SimulationCounters();
        using var api = new HttpClient { BaseAddress = target.Api, Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", target.BearerToken);
        using var bridge = new HttpClient { BaseAddress = target.Bridge, Timeout = TimeSpan.FromSeconds(30) };

        AnsiConsole.MarkupLine("[bold]simulate[/] setting up locations and stock...");
        await Catalog.SetUpAsync(api, cancellationToken);
        var erp = new ErpSimulator(target.Publisher, target.Processors, counters, random);
        await using var erpProcessor = await erp.StartAsync(cancellationToken);
        var traffic = new Traffic(api, bridge, target.Secrets, counters, random);

        var nextProgress = DateTime.UtcNow + ProgressInterval;
        var nextSnapshot = DateTime.UtcNow + SnapshotInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await traffic.SendOneAsync(cancellationToken);
                if (DateTime.UtcNow >= nextSnapshot)
                {
                    var location = Catalog.Locations[random.Next(Catalog.Locations.Count)].LocationId;
                    await erp.SendSnapshotAsync(location, await Catalog.CountWithVarianceAsync(api, location, random, cancellationToken), cancellationToken);
                    nextSnapshot = DateTime.UtcNow + SnapshotInterval;
                }
            }
            catch (HttpRequestException exception)
            {
                counters.Increment("send failures");
                AnsiConsole.MarkupLine($"[yellow]simulate | {Markup.Escape(exception.Message)}[/]");
            }
            if (DateTime.UtcNow >= nextProgress)
            {
                AnsiConsole.MarkupLine($"[bold]simulate[/] | {Markup.Escape(counters.Summary())}");
                nextProgress = DateTime.UtcNow + ProgressInterval;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(150, 700)), cancellationToken);
        }
    }

    /// <summary>Fails loudly on an answer the simulation did not expect, with the problem the service gave.</summary>
    internal static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{what}: {(int)response.StatusCode} {body}");
        }
    }

    internal static Task<HttpResponseMessage> PutJsonAsync<T>(HttpClient client, string path, T body, CancellationToken cancellationToken) =>
        client.PutAsJsonAsync(path, body, Retail.Contracts.RetailJson.Options, cancellationToken);
}
