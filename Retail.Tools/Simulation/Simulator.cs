using System.Net.Http.Headers;

using Retail.Messaging;
using Spectre.Console;

namespace Retail.Tools.Simulation;

/// <summary>Where the simulation sends its traffic, and the transport its ERP stand-in listens on.</summary>
internal sealed record SimulationTarget(Uri Api, Uri Bridge, string BearerToken, WebhookSecrets Secrets, IMessagePublisher Publisher, IMessageProcessorFactory Processors);

/// <summary>
/// <c>simulate</c>: a living system for the dashboard. Sets up locations and stock, then keeps sending Shopify
/// orders (paid through Shopify), web orders through the API paid by Stripe, cancellations and returns, while a
/// stand-in ERP accepts, ships, invoices and now and then rejects, and sends stock counts that differ a little. The ERP
/// also confirms purchase orders (mostly of the scarce SKU, so web orders are promised from them) and receives them when
/// due, and the simulation asks for transfers from a warehouse to a store, which the ERP ships and receives.
/// </summary>
internal static class Simulator
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan PurchaseOrderInterval = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan TransferInterval = TimeSpan.FromSeconds(60);

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
        var nextPurchaseOrder = DateTime.UtcNow;
        var nextTransfer = DateTime.UtcNow + TransferInterval;
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
                if (DateTime.UtcNow >= nextPurchaseOrder)
                {
                    await SendPurchaseOrderAsync(erp.Supply, random, cancellationToken);
                    nextPurchaseOrder = DateTime.UtcNow + PurchaseOrderInterval;
                }
                if (DateTime.UtcNow >= nextTransfer)
                {
                    await RequestTransferAsync(api, random, counters, cancellationToken);
                    nextTransfer = DateTime.UtcNow + TransferInterval;
                }
                await erp.Supply.ReceiveDueAsync(cancellationToken);
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

    /// <summary>A purchase order at a warehouse: two in three for the scarce SKU, due in 30 to 90 seconds.</summary>
    private static Task SendPurchaseOrderAsync(ErpSupply supply, Random random, CancellationToken cancellationToken)
    {
        var warehouses = Catalog.Locations.Where(l => l.Type == Retail.Contracts.Locations.LocationType.Warehouse).ToList();
        var sku = random.Next(3) < 2 ? Catalog.ScarceSku : Catalog.Products[random.Next(Catalog.Products.Count)].Sku;
        return supply.ConfirmPurchaseOrderAsync(warehouses[random.Next(warehouses.Count)].LocationId, sku, random.Next(4, 16), TimeSpan.FromSeconds(random.Next(30, 90)), cancellationToken);
    }

    /// <summary>Asks for a few units of a SKU to move from a warehouse to a store (POST /transfers).</summary>
    private static async Task RequestTransferAsync(HttpClient api, Random random, SimulationCounters counters, CancellationToken cancellationToken)
    {
        var from = Catalog.Locations.Where(l => l.Type == Retail.Contracts.Locations.LocationType.Warehouse).ToList();
        var to = Catalog.Locations.Where(l => l.Type == Retail.Contracts.Locations.LocationType.Store).ToList();
        var sku = Catalog.Products[random.Next(Catalog.Products.Count)].Sku;
        using var response = await api.PostAsJsonAsync("api/v1/transfers", new
        {
            fromLocationId = from[random.Next(from.Count)].LocationId,
            toLocationId = to[random.Next(to.Count)].LocationId,
            lines = new[] { new { sku, quantity = random.Next(2, 8) } },
        }, Retail.Contracts.RetailJson.Options, cancellationToken);
        await EnsureAsync(response, "POST transfer", cancellationToken);
        counters.Increment("transfers requested");
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
