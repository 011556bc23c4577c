using Retail.Functions;
using Retail.Silo;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRetailOrleans();
builder.AddRetailBridge();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRetailBridge();
app.Run();
