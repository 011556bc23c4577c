using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Trace;
using Retail.Api;
using Retail.Api.Security;
using Retail.Functions;
using Retail.Grains.Telemetry;
using Retail.Messaging.InMemory;
using Retail.Silo;

namespace Retail.ServiceDefaults.Tests;

/// <summary>
/// The whole app in one process as the embedded mode runs it (silo, API, bridge, in-memory transport) with the service
/// defaults, plus captures of every finished span, every log record as the exporters see it and every Retail measurement.
/// </summary>
public sealed class ObservedApp : IAsyncLifetime, IDisposable
{
    private const string Issuer = "retail-obs-tests";
    private const string Audience = "retail-api";

    private readonly byte[] signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly MeterListener meters = new();
    private WebApplication app = null!;

    public ConcurrentQueue<Activity> Spans { get; } = new();

    public ConcurrentQueue<CapturedLog> Logs { get; } = new();

    public ConcurrentQueue<(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)> Measurements { get; } = new();

    public IGrainFactory Grains => app.Services.GetRequiredService<IGrainFactory>();

    public InMemoryMessageBroker Broker => app.Services.GetRequiredService<InMemoryMessageBroker>();

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RetailMetrics.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        meters.Start();

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Retail:Embedded"] = "true",
            ["Orleans:Endpoints:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = $"obs-tests-{Guid.NewGuid():N}",
            ["Messaging:Transport"] = "InMemory",
            ["Authentication:Schemes:Bearer:ValidIssuer"] = Issuer,
            ["Authentication:Schemes:Bearer:ValidAudiences:0"] = Audience,
            ["Authentication:Schemes:Bearer:SigningKeys:0:Issuer"] = Issuer,
            ["Authentication:Schemes:Bearer:SigningKeys:0:Value"] = Convert.ToBase64String(signingKey),
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Orleans"] = "Warning",
            ["Logging:LogLevel:Microsoft"] = "Warning",
        });
        builder.AddServiceDefaults();
        builder.AddRetailSilo();
        builder.AddRetailBridge();
        builder.AddRetailApi();
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddProcessor(new SpanCapture(Spans)));
        builder.Logging.AddOpenTelemetry(logging => logging.AddProcessor(new LogCapture(Logs)));
        app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapRetailBridge();
        app.MapRetailApi();
        await app.StartAsync();
        Client = app.GetTestClient();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public void Dispose() => meters.Dispose();

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
            .Sum(m => m.Value);

    /// <summary>Polls until <paramref name="condition"/> holds (generous timeout: the machine may be loaded).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for: {what}");
            await Task.Delay(100);
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }
        Measurements.Enqueue((instrument.Name, value, copy));
    }

    private string Token()
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim("sub", "obs-tests"), new Claim("scope", string.Join(' ', Scopes.All))]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey), SecurityAlgorithms.HmacSha256),
        });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class SpanCapture(ConcurrentQueue<Activity> spans) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => spans.Enqueue(data);
    }

    private sealed class LogCapture(ConcurrentQueue<CapturedLog> logs) : BaseProcessor<LogRecord>
    {
        public override void OnEnd(LogRecord data)
        {
            var scopes = new List<KeyValuePair<string, object?>>();
            data.ForEachScope((scope, list) =>
            {
                foreach (var item in scope)
                {
                    list.Add(item);
                }
            }, scopes);
            logs.Enqueue(new CapturedLog(
                data.CategoryName ?? "",
                data.TraceId,
                data.FormattedMessage ?? "",
                [.. data.Attributes ?? []],
                scopes));
        }
    }
}

/// <summary>A log record as the exporters receive it: message, attributes and scopes.</summary>
public sealed record CapturedLog(
    string Category, ActivityTraceId TraceId, string Message,
    IReadOnlyList<KeyValuePair<string, object?>> Attributes, IReadOnlyList<KeyValuePair<string, object?>> Scopes)
{
    public string? CorrelationId =>
        Attributes.Concat(Scopes).Where(p => p.Key == "CorrelationId").Select(p => p.Value?.ToString()).FirstOrDefault();

    /// <summary>Everything the record would export, as text.</summary>
    public string AllText => string.Join('\n', new[] { Message }.Concat(Attributes.Concat(Scopes).Select(p => $"{p.Key}={p.Value}")));
}

[CollectionDefinition(Name)]
public sealed class ObservedAppCollection : ICollectionFixture<ObservedApp>
{
    public const string Name = "observed app";
}
