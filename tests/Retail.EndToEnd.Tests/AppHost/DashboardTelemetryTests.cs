using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Retail.EndToEnd.Tests.AppHost;

[Collection(DistributedAppCollection.Name)]
public sealed class DashboardTelemetryTests(DistributedAppFixture fixture)
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task OrderRequest_Traced_DashboardHasSpansOfTheApiAndASilo()
    {
        using var api = fixture.Api();
        var location = "WH-TRACE-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/locations/{location}")
        {
            Content = JsonContent.Create(new { name = "Traced warehouse", type = "warehouse", priority = 1, region = "US-East" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PUT location answered {(int)response.StatusCode}");

        var services = await WaitForTraceAsync(traceId.ToHexString(), required: ["api", "silo"]);

        Assert.Contains("api", services);
        Assert.Contains("silo", services);
    }

    /// <summary>The resources whose spans of the trace the dashboard's telemetry API returns, once the required ones are there.</summary>
    private async Task<HashSet<string>> WaitForTraceAsync(string traceId, string[] required)
    {
        var configuration = fixture.App.Services.GetRequiredService<IConfiguration>();
        var login = await fixture.App.GetDashboardUrlAsync();
        using var dashboard = new HttpClient { BaseAddress = new Uri(login.GetLeftPart(UriPartial.Authority)) };
        dashboard.DefaultRequestHeaders.Add("x-api-key", configuration["AppHost:DashboardApiKey"]
            ?? throw new InvalidOperationException("The AppHost has no AppHost:DashboardApiKey."));
        var deadline = DateTime.UtcNow + ExportTimeout;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var answer = await dashboard.GetAsync("api/telemetry/traces");
            last = $"{(int)answer.StatusCode}";
            if (answer.IsSuccessStatusCode)
            {
                using var document = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
                foreach (var resourceSpans in document.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray())
                {
                    var hasTrace = resourceSpans.GetProperty("scopeSpans").EnumerateArray()
                        .SelectMany(scope => scope.GetProperty("spans").EnumerateArray())
                        .Any(span => span.GetProperty("traceId").GetString() == traceId);
                    if (hasTrace && ServiceName(resourceSpans) is { } name)
                    {
                        seen.Add(name);
                    }
                }
                if (required.All(seen.Contains))
                {
                    return seen;
                }
            }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"The dashboard has spans of trace {traceId} from [{string.Join(", ", seen)}] only; last answer {last}.");
    }

    private static string? ServiceName(JsonElement resourceSpans) =>
        resourceSpans.TryGetProperty("resource", out var resource) && resource.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray()
                .Where(attribute => attribute.GetProperty("key").GetString() == "service.name")
                .Select(attribute => attribute.GetProperty("value").GetProperty("stringValue").GetString())
                .FirstOrDefault()
            : null;

}
