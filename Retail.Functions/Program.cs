using Retail.Functions;
using Retail.Functions.Hosting;
using Retail.Hosting;

if (FunctionsHost.IsPresent(args, Environment.GetEnvironmentVariable))
{
    // Started by the Functions host (Azure): the host routes each webhook to its [Function].
    BridgeWorker.CreateBuilder(args).Build().Run();
    return;
}

// No Functions host (local runs): ASP.NET Core serves the same functions at the same routes.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRetailOrleansClient();
builder.AddRetailBridge();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRetailBridge();
app.Run();
