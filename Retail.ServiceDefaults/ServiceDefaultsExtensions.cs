using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Retail service shares: OpenTelemetry logs, traces and metrics, health endpoints, service discovery,
/// resilient HttpClients and correlation ids. Call <see cref="AddServiceDefaults"/> on the builder and
/// <see cref="MapDefaultEndpoints"/> on the app.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Health checks with this tag answer /alive: the process runs. Every check answers /health.</summary>
    public const string LiveTag = "live";

    /// <summary>The activity sources and meters Retail and its libraries emit.</summary>
    public static IReadOnlyList<string> TelemetrySources { get; } =
    [
        "Retail",
        "Retail.Messaging",
        "Microsoft.Orleans.Runtime",
        "Microsoft.Orleans.Application",
        "Npgsql",
    ];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddFrameworkLogLevels();
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddDependencyHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.Services.AddCorrelation();
        return builder;
    }

    /// <summary>
    /// Retail's own log lines at Information, the frameworks' (ASP.NET Core, Orleans, hosting, HttpClient, Npgsql) at
    /// Warning: defaults that come first among the configuration sources, so that any <c>Logging:LogLevel:*</c> from
    /// appsettings, the environment or the command line asks for more.
    /// </summary>
    private static void AddFrameworkLogLevels<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Warning",
            ["Logging:LogLevel:System"] = "Warning",
            ["Logging:LogLevel:Npgsql"] = "Warning",
            ["Logging:LogLevel:Polly"] = "Warning",
        };
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
    }

    private static void ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.AddProcessor(new LogRecordProcessor());
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter([.. TelemetrySources, "Microsoft.Orleans"]))
            .WithTracing(tracing => tracing
                .AddSource([.. TelemetrySources])
                .AddProcessor(new CorrelationActivityProcessor())
                .AddAspNetCoreInstrumentation(options => options.Filter = context =>
                    !context.Request.Path.StartsWithSegments("/health") && !context.Request.Path.StartsWithSegments("/alive"))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
        var appInsights = builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        if (!string.IsNullOrWhiteSpace(appInsights))
        {
            telemetry
                .WithTracing(tracing => tracing.AddAzureMonitorTraceExporter(options => options.ConnectionString = appInsights))
                .WithMetrics(metrics => metrics.AddAzureMonitorMetricExporter(options => options.ConnectionString = appInsights));
            builder.Logging.AddOpenTelemetry(logging => logging.AddAzureMonitorLogExporter(options => options.ConnectionString = appInsights));
        }
    }

    /// <summary>Maps /health (every check: readiness) and /alive (liveness), and the correlation-id middleware.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseCorrelation();
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        return app;
    }
}
