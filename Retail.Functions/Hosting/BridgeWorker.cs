using Microsoft.Azure.Functions.Worker.Builder;
using Retail.Hosting;

namespace Retail.Functions.Hosting;

/// <summary>The bridge as a .NET isolated worker of the Azure Functions host, with ASP.NET Core integration.</summary>
internal static class BridgeWorker
{
    /// <summary>The worker's composition: the functions, the correlation middleware, an Orleans client, the bridge.</summary>
    public static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<CorrelationMiddleware>();
        builder.AddServiceDefaults();
        builder.AddRetailOrleansClient();
        builder.AddRetailBridge();
        return builder;
    }
}
