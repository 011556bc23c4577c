using Retail.Api;
using Retail.Silo;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRetailOrleans();
builder.AddRetailApi();
builder.AddRetailBridgeWhenEmbedded();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapRetailApi();
app.MapRetailBridgeWhenEmbedded();

app.Run();
