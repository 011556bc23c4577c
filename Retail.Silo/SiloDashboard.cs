using Orleans.Dashboard;

namespace Retail.Silo;

/// <summary>
/// The Orleans dashboard, in Development, on a port of its own (<c>Orleans:DashboardPort</c>) on every silo: the
/// AppHost puts one address in front of all silos' dashboards, so it answers while any silo is up.
/// </summary>
public static class SiloDashboard
{
    private const string PortKey = "Orleans:DashboardPort";

    /// <summary>Adds the dashboard to the silo and a listener on its port beside the silo's own URLs.</summary>
    public static WebApplicationBuilder AddRetailDashboard(this WebApplicationBuilder builder)
    {
        if (DashboardPort(builder.Environment, builder.Configuration) is { } port)
        {
            var urls = builder.Configuration["urls"] ?? "http://localhost:5000";
            var dashboard = $"http://127.0.0.1:{port}";
            if (!urls.Split(';').Any(url => url.TrimEnd('/').EndsWith($":{port}", StringComparison.Ordinal)))
            {
                builder.WebHost.UseUrls($"{urls};{dashboard}");
            }
            builder.UseOrleans(silo => silo.AddDashboard());
        }
        return builder;
    }

    /// <summary>Serves the dashboard on its own port only.</summary>
    public static WebApplication MapRetailDashboard(this WebApplication app)
    {
        if (DashboardPort(app.Environment, app.Configuration) is { } port)
        {
            app.MapOrleansDashboard().AddEndpointFilter(async (context, next) =>
                context.HttpContext.Connection.LocalPort == port ? await next(context) : Results.NotFound());
        }
        return app;
    }

    private static int? DashboardPort(IHostEnvironment environment, IConfiguration configuration) =>
        environment.IsDevelopment() ? configuration.GetValue<int?>(PortKey) : null;
}
