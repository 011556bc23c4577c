using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Retail.Api.Tests.Endpoints;

namespace Retail.Api.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's /usr/bin/chromium; CI installs it) against the API on a loopback
/// port: it signs itself in with the Development token, shows the KPIs, retries an exception and opens a timeline.
/// </summary>
public sealed class OpsDashboardTests : IDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly string[] ChromiumArguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly DevelopmentApiFactory api = new();
    private readonly Uri baseAddress;

    public OpsDashboardTests()
    {
        api.UseKestrel(0);
        api.StartServer();
        var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        baseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
    }

    public void Dispose() => api.Dispose();

    [Fact]
    public async Task Dashboard_ShowsKpis_RetriesAnException_AndOpensATimeline()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is missing at {ChromiumPath}: install it with `apt-get install -y chromium` (CI does).");
        using var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", api.Token(Retail.Api.Security.Scopes.All));
        var record = await ExceptionsEndpointsTests.RaiseExceptionAsync(client);
        var exceptionId = record.GetProperty("id").GetString()!;
        var orderId = record.GetProperty("businessKey").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArguments,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1400 } });
        await page.GotoAsync(new Uri(baseAddress, "/ops/").ToString());

        var ordersToday = page.Locator(".kpi[data-kpi='Orders today'] .value");
        await Assertions.Expect(ordersToday).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"), new() { Timeout = 30_000 });
        var row = page.Locator($"tr[data-exception-id='{exceptionId}']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("done: retry", new() { Timeout = 30_000 });
        await page.Locator($"tr[data-exception-id='{exceptionId}'] a.order-link").ClickAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#order-title")).ToHaveTextAsync(orderId, new() { Timeout = 30_000 });
        var timelineEntries = await page.Locator("#timeline li").CountAsync();
        await Assertions.Expect(page.Locator(".kpi[data-kpi='Return cycle p50 / p95'] .sub")).ToContainTextAsync("authorised→received", new() { Timeout = 30_000 });
        await page.ReloadAsync();
        // The retry above was a person's: the order it belongs to counts as touched.
        await Assertions.Expect(page.Locator(".kpi[data-kpi='Manual touch rate'] .sub"))
            .ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]* of [1-9][0-9]* orders today needed a person$"), new() { Timeout = 30_000 });
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, "ops-dashboard.png"), FullPage = true });

        Assert.True(timelineEntries > 0);
        var retried = await (await client.GetAsync("/api/v1/exceptions?status=all&kind=UnknownSku&limit=200")).JsonAsync();
        var after = retried.GetProperty("items").EnumerateArray().Single(item => item.GetProperty("id").GetString() == exceptionId);
        Assert.True(after.GetProperty("attempts").GetInt32() > record.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Dashboard_ShowsExceptionGroupsFirst_ExpandsOneIntoItsRecords_AndRetriesTheGroup()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is missing at {ChromiumPath}: install it with `apt-get install -y chromium` (CI does).");
        using var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", api.Token(Retail.Api.Security.Scopes.All));
        var sku = await ExceptionsEndpointsTests.BackorderThreeAsync(client);
        var records = await ExceptionsEndpointsTests.ListAllAsync(client, $"/api/v1/exceptions?kind=Backordered&root={Uri.EscapeDataString(sku)}&limit=200");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArguments,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1400 } });
        await page.GotoAsync(new Uri(baseAddress, "/ops/").ToString());

        var group = page.Locator($"#exception-groups tr.group[data-group-kind='Backordered'][data-group-root='{sku}']");
        await Assertions.Expect(group.Locator("td.count")).ToHaveTextAsync("3", new() { Timeout = 30_000 });
        var groupsAboveQueue = await page.EvaluateAsync<bool>(
            "() => document.getElementById('exception-groups').compareDocumentPosition(document.getElementById('exceptions')) === Node.DOCUMENT_POSITION_FOLLOWING");
        await group.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync(new() { Timeout = 30_000 });
        foreach (var record in records)
        {
            await Assertions.Expect(page.Locator($"#exception-groups tr[data-group-record-id='{record.GetProperty("id").GetString()}']")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        }
        var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, "ops-exception-groups.png"), FullPage = true });
        await group.GetByRole(AriaRole.Button, new() { Name = "Retry group" }).ClickAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("done: retry", new() { Timeout = 30_000 });

        Assert.True(groupsAboveQueue, "the groups are not shown before the exception queue");
        var after = await ExceptionsEndpointsTests.ListAllAsync(client, $"/api/v1/exceptions?kind=Backordered&root={Uri.EscapeDataString(sku)}&limit=200");
        Assert.All(after.Zip(records), pair => Assert.True(pair.First.GetProperty("attempts").GetInt32() > pair.Second.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task Dashboard_ShowsPromisedOrdersAndTheInboundSupplyOfASku()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is missing at {ChromiumPath}: install it with `apt-get install -y chromium` (CI does).");
        using var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", api.Token(Retail.Api.Security.Scopes.All));
        var sku = "SKU-" + Guid.NewGuid().ToString("N")[..8];
        var warehouse = "dc-" + Guid.NewGuid().ToString("N")[..8];
        await client.PutAsJsonAsync($"/api/v1/locations/{warehouse}", new { name = warehouse, type = "warehouse", priority = 1 });
        await client.PutAsJsonAsync($"/api/v1/inventory/{sku}/{warehouse}", new { onHand = 0, safetyStock = 0 });
        var poId = "PO-" + Guid.NewGuid().ToString("N")[..8];
        await api.Services.GetRequiredService<IClusterClient>().GetGrain<Retail.Contracts.Transfers.IPurchaseOrderGrain>(poId).ConfirmAsync(new Retail.Contracts.Erp.PurchaseOrderConfirmed
        {
            PoId = poId,
            LocationId = warehouse,
            Lines = [new Retail.Contracts.Erp.PurchaseOrderLine { Sku = sku, Quantity = 6, ExpectedAt = DateTimeOffset.UtcNow.AddDays(2) }],
        });
        await TestOrders.EventuallyAsync(
            async () => await (await client.GetAsync($"/api/v1/availability/{sku}")).JsonAsync(),
            body => body.GetProperty("inbound").GetArrayLength() == 1);
        var created = await (await client.PostJsonAsync("/api/v1/orders", TestOrders.Order(sku))).JsonAsync();
        var orderId = created.GetProperty("orderId").GetString()!;
        Assert.Equal("Promised", created.GetProperty("status").GetString());

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArguments });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1400 } });
        await page.GotoAsync(new Uri(baseAddress, "/ops/").ToString());
        await Assertions.Expect(page.Locator("#promised-orders")).ToContainTextAsync(orderId, new() { Timeout = 30_000 });
        await page.Locator("#supply-sku").FillAsync(sku);
        await page.Locator("#supply-quantity").FillAsync("3");
        await page.Locator("#supply-search button").ClickAsync();

        await Assertions.Expect(page.Locator("#inbound")).ToContainTextAsync($"po:{poId}", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#supply-promise")).ToContainTextAsync($"3 can be promised from", new() { Timeout = 30_000 });
        Assert.Equal("2", await page.Locator("#inbound tbody tr td").Nth(4).TextContentAsync());
    }

    private sealed class DevelopmentApiFactory : ApiFactory
    {
        protected override string Environment => "Development";
    }
}
