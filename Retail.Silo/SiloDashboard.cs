using Orleans.Dashboard;

namespace Retail.Silo;

/// <summary>The Orleans dashboard, in Development, on a port of its own (<c>Orleans:DashboardPort</c>).</summary>
public static class SiloDashboard
{
    private const string PortKey = "Orleans:DashboardPort";

    /// <summary>Adds the dashboard to the silo and a listener on its port beside the silo's own URLs.</summary>
    public static WebApplicationBuilder AddRetailDashboard(this WebApplicationBuilder builder)
    {
        if (DashboardPort(builder.Environment, builder.Configuration) is { } port)
        {
            var urls = builder.Configuration["urls"] ?? "http://localhost:5000";
            builder.WebHost.UseUrls($"{urls};http://127.0.0.1:{port}");
            builder.UseOrleans(silo => silo.AddDashboard());
        }
        return builder;
    }

    /// <summary>Serves the dashboard on its own port only.</summary>
    public static WebApplication MapRetailDashboard(this WebApplication app)
    {
        if (DashboardPort(app.Environment, app.Configuration) is { } port)
        {
            app.MapOrleansDashboard().RequireHost($"*:{port}");
        }
        return app;
    }

    private static int? DashboardPort(IHostEnvironment environment, IConfiguration configuration) =>
        environment.IsDevelopment() ? configuration.GetValue<int?>(PortKey) : null;
}
