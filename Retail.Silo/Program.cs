using Retail.Silo;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRetailSilo();
builder.AddRetailDashboard();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapRetailDashboard();

app.Run();
