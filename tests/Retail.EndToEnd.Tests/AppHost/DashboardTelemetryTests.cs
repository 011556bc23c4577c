using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retail.Contracts;
using Retail.Contracts.Erp;
using Retail.Contracts.Events;
using Retail.EndToEnd.Tests.Support;

namespace Retail.EndToEnd.Tests.AppHost;

[Collection(DistributedAppCollection.Name)]
public sealed class DashboardTelemetryTests(DistributedAppFixture fixture)
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task OrderRequest_Traced_DashboardHasSpansOfTheApiASiloAndThePublishToTheBroker()
    {
        using var api = fixture.Api();
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/orders") { Content = JsonContent.Create(TestOrders.OneLine("TRACE"), options: RetailJson.Options) };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await api.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST order answered {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var orderId = body.RootElement.GetProperty("orderId").GetString()!;

        // The event arrives carrying, in its message properties, the context of the span that published it.
        var received = (await fixture.Traffic.WaitForEventsAsync(orderId, EventTypes.OrderReceived, ExportTimeout, () => "no order.received event"))
            .First(retailEvent => retailEvent.Type == EventTypes.OrderReceived);
        var traceParent = fixture.Traffic.TraceParentOf(received);
        Assert.NotNull(traceParent);
        Assert.Equal(traceId.ToHexString(), traceParent.Split('-')[1]);
        var publishSpanId = traceParent.Split('-')[2];

        var spans = await WaitForTraceAsync(traceId.ToHexString(), spans =>
            spans.Any(span => span.Service == "api") && spans.Any(span => span.Service == "silo")
            && spans.FirstOrDefault(span => span.SpanId == publishSpanId) is { } publish && Lineage(spans, publish).Any(span => span.Name == "outbox deliver"));

        Assert.Contains(spans, span => span.Service == "api" && span.Kind == SpanKindServer);
        Assert.Contains(spans, span => span.Service == "silo");
        var publish = Assert.Single(spans, span => span.SpanId == publishSpanId);
        Assert.True(IsBrokerPublish(publish), $"The event's parent span is {publish.Name} (kind {publish.Kind}), not a publish to RabbitMQ.");
        Assert.Equal("silo", publish.Service);
        // That publish is the relay's delivery of the outbox entry (its own span, or RabbitMQ.Client's under it).
        var lineage = Lineage(spans, publish).Select(span => span.Name).ToList();
        Assert.Contains(Entities.RetailEvents + " publish", lineage);
        Assert.Contains("outbox deliver", lineage);
    }

    private const int SpanKindServer = 2;
    private const int SpanKindProducer = 4;

    private static bool IsBrokerPublish(Span span) =>
        span.Kind == SpanKindProducer && span.Attributes.GetValueOrDefault("messaging.system") == "rabbitmq";


    /// <summary>One span of a trace as the dashboard's telemetry API returns it.</summary>
    private sealed record Span(string? Service, string Name, int Kind, string SpanId, string? ParentSpanId, IReadOnlyDictionary<string, string?> Attributes);

    /// <summary>The span and its ancestors within the trace, nearest first.</summary>
    private static IEnumerable<Span> Lineage(List<Span> spans, Span span)
    {
        for (Span? current = span; current is not null; current = spans.FirstOrDefault(parent => parent.SpanId == current.ParentSpanId))
        {
            yield return current;
        }
    }

    /// <summary>The trace's spans from the dashboard's telemetry API, once <paramref name="complete"/> holds for them.</summary>
    private async Task<List<Span>> WaitForTraceAsync(string traceId, Func<List<Span>, bool> complete)
    {
        var configuration = fixture.App.Services.GetRequiredService<IConfiguration>();
        var login = await fixture.App.GetDashboardUrlAsync();
        using var dashboard = new HttpClient { BaseAddress = new Uri(login.GetLeftPart(UriPartial.Authority)) };
        dashboard.DefaultRequestHeaders.Add("x-api-key", configuration["AppHost:DashboardApiKey"]
            ?? throw new InvalidOperationException("The AppHost has no AppHost:DashboardApiKey."));
        var deadline = DateTime.UtcNow + ExportTimeout;
        var spans = new List<Span>();
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var answer = await dashboard.GetAsync($"api/telemetry/spans?traceId={traceId}&limit=10000");
            last = $"{(int)answer.StatusCode}";
            if (answer.IsSuccessStatusCode)
            {
                using var document = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
                spans = [.. document.RootElement.GetProperty("data").GetProperty("resourceSpans").EnumerateArray()
                    .SelectMany(resourceSpans => resourceSpans.GetProperty("scopeSpans").EnumerateArray()
                        .SelectMany(scope => scope.GetProperty("spans").EnumerateArray())
                        .Where(span => span.GetProperty("traceId").GetString() == traceId)
                        .Select(span => new Span(
                            ServiceName(resourceSpans),
                            span.GetProperty("name").GetString()!,
                            span.TryGetProperty("kind", out var kind) ? kind.GetInt32() : 0,
                            span.GetProperty("spanId").GetString()!,
                            span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() : null,
                            Attributes(span))))];
                if (complete(spans))
                {
                    return spans;
                }
            }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"The dashboard has these spans of trace {traceId} only (last answer {last}):\n"
            + string.Join("\n", spans.Select(span => $"{span.Service}: {span.Name} (kind {span.Kind})")));
    }

    private static Dictionary<string, string?> Attributes(JsonElement element) =>
        element.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray()
                .GroupBy(attribute => attribute.GetProperty("key").GetString()!, StringComparer.Ordinal)
                .ToDictionary(group => group.Key, group => group.First().GetProperty("value").TryGetProperty("stringValue", out var value) ? value.GetString() : null, StringComparer.Ordinal)
            : [];

    private static string? ServiceName(JsonElement resourceSpans) =>
        resourceSpans.TryGetProperty("resource", out var resource) ? Attributes(resource).GetValueOrDefault("service.name") : null;
}
