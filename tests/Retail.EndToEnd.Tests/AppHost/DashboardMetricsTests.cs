using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Retail.Contracts;
using Retail.Contracts.Orders;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.AppHost;

/// <summary>
/// The Retail meter as an operator finds it in the Aspire dashboard: its Metrics page for a silo replica, read in a real
/// headless Chromium (Debian's /usr/bin/chromium; CI installs it). The dashboard has no metrics API, so its page is
/// what is read.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class DashboardMetricsTests(DistributedAppFixture fixture)
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromMinutes(2);
    private static readonly string[] ChromiumArguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

    [Fact]
    public async Task OrderReceived_SiloMetricsInTheDashboard_ListTheRetailMeterWithTheOrdersChannel()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is missing at {ChromiumPath}: install it with `apt-get install -y chromium` (CI does).");
        var channel = Channels.CallCenter;
        using var api = fixture.Api();
        using var response = await api.PostAsJsonAsync("api/v1/orders", TestOrders.OneLine("METRICS", channel), RetailJson.Options);
        Assert.True(response.IsSuccessStatusCode, $"POST order answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var timeout = new CancellationTokenSource(ExportTimeout);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArguments });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1200 } });
        var login = await fixture.App.GetDashboardUrlAsync();
        var dashboard = login.GetLeftPart(UriPartial.Authority);
        await page.GotoAsync(login.ToString());

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!timeout.IsCancellationRequested)
        {
            // The replicas running now (another test of the collection kills one, and Aspire starts it again under a new name).
            var replicas = (await fixture.App.RunningInstancesAsync("silo", CancellationToken.None)).Keys.Order(StringComparer.Ordinal).ToList();
            foreach (var replica in replicas)
            {
                await page.GotoAsync($"{dashboard}/metrics/resource/{replica}?meter=Retail&instrument=retail.orders.received&duration=5");
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                var text = await page.InnerTextAsync("body");
                seen[replica] = text;
                // The instrument's own page: its description from the meter, and its channel dimension with this order's value.
                if (text.Contains("Orders taken in, by channel.", StringComparison.Ordinal)
                    && Lines(text).SkipWhile(line => line != "channel").Contains(channel))
                {
                    var directory = Path.Combine(AppContext.BaseDirectory, "screenshots");
                    Directory.CreateDirectory(directory);
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, "dashboard-retail-metrics.png"), FullPage = true });
                    Assert.Contains("retail.orders.outcomes", Lines(text));
                    return;
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
        }
        Assert.Fail("No running silo replica's Metrics page showed retail.orders.received with channel " + channel + ":\n"
            + string.Join("\n---\n", seen.Select(entry => $"{entry.Key}:\n{entry.Value}")));
    }

    private static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

}
