using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Retail.Functions.Tests.Fakes;
using Retail.Functions.Tests.Stripe;

namespace Retail.Functions.Tests.Webhooks;

/// <summary>The bridge mapped on a minimal app over a TestServer, with recording fake grains and a settable clock.</summary>
public sealed class BridgeHost : IAsyncDisposable
{
    public const string ShopifyOldSecret = "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";
    public const string ShopifyNewSecret = "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";
    public const string StripeSecret = "whsec_Q1m8c3Zr7XvT2pLk9Bn4Hs6Dw0Fy5Ja1";
    public const string StripeRotatedSecret = "whsec_N7e2Vb9Kq4Lm1Xc8Zp3Rt6Yw0Hs5Gd2F";
    public const string PosSecret = "pos-7d1c9b3e5f2a4c6e8b0d1f3a5c7e9b2d";
    public const string WmsSecret = "wms-2c4e6a8b0d1f3e5a7c9b1d3f5e7a9c0b";
    public const string MarketplaceSecret = "mkp-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
    public const string PickupCode = "Berlin Mitte Store";
    public const string PickupLocation = "store-berlin-mitte";

    private readonly WebApplication app;

    private BridgeHost(WebApplication app, FakeGrains grains, ManualTime time)
    {
        this.app = app;
        Grains = grains;
        Time = time;
        Client = app.GetTestClient();
    }

    public FakeGrains Grains { get; }
    public ManualTime Time { get; }
    public HttpClient Client { get; }

    public static async Task<BridgeHost> StartAsync(IDictionary<string, string?>? overrides = null)
    {
        var grains = new FakeGrains();
        var time = new ManualTime(DateTimeOffset.UtcNow);
        grains.Registry.Clock = time.GetUtcNow;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:Shopify:Secrets:0"] = ShopifyOldSecret,
            ["Webhooks:Shopify:Secrets:1"] = ShopifyNewSecret,
            [$"Webhooks:Shopify:PickupLocations:{PickupCode}"] = PickupLocation,
            ["Webhooks:Stripe:Secrets:0"] = StripeSecret,
            ["Webhooks:Stripe:Secrets:1"] = StripeRotatedSecret,
            ["Webhooks:Sources:pos:Secret"] = PosSecret,
            ["Webhooks:Sources:wms:Secret"] = WmsSecret,
            ["Webhooks:Sources:marketplace:Secret"] = MarketplaceSecret,
            ["Webhooks:Sources:marketplace:AllowedRate"] = "120",
            ["Webhooks:ConcurrentDeliveryWait"] = "00:01:00",
            ["Bridge:ErpInbound:Enabled"] = "false",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddRetailBridge();
        builder.Services.AddSingleton<IGrainFactory>(grains);
        builder.Services.AddSingleton<TimeProvider>(time);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapRetailBridge();
        await app.StartAsync();
        return new BridgeHost(app, grains, time);
    }

    public Task<HttpResponseMessage> PostShopifyAsync(string topic, byte[] body, string? secret = ShopifyNewSecret, string? eventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/shopify") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Shopify-Topic", topic);
        request.Headers.Add("X-Shopify-Shop-Domain", "retail-demo.myshopify.com");
        request.Headers.Add("X-Shopify-API-Version", "2025-10");
        request.Headers.Add("X-Shopify-Webhook-Id", $"wh-{Guid.NewGuid():N}");
        request.Headers.Add("X-Shopify-Event-Id", eventId ?? $"evt-{Guid.NewGuid():N}");
        if (secret is not null)
        {
            request.Headers.Add("X-Shopify-Hmac-Sha256", Functions.Webhooks.WebhookSignature.ComputeBase64(body, secret));
        }
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostStripeWithHeaderAsync(byte[] body, string? signatureHeader)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        if (signatureHeader is not null)
        {
            request.Headers.Add("Stripe-Signature", signatureHeader);
        }
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostStripeAsync(byte[] body, string secret = StripeSecret) =>
        PostStripeWithHeaderAsync(body, StripeSigning.Header(body, secret, Time.GetUtcNow()));

    public Task<HttpResponseMessage> PostEventAsync(
        string source, byte[] body, string contentType, string? secret, IDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/events/{source}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (secret is not null)
        {
            request.Headers.Add("X-Signature", "sha256=" + Functions.Webhooks.WebhookSignature.ComputeHex(body, secret));
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }
        return Client.SendAsync(request);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
