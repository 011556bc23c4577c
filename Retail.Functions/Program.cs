using Retail.Functions;
using Retail.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRetailOrleansClient();
builder.AddRetailBridge();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRetailBridge();
app.Run();
