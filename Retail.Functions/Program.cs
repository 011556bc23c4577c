using Retail.Functions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRetailBridge();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapRetailBridge();
app.Run();
