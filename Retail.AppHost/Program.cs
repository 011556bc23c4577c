using Retail.AppHost.Development;
using Retail.AppHost.LocalServices;

var builder = DistributedApplication.CreateBuilder(LocalServicesChoice.WithoutEmbeddedSwitch(args));
var ports = RetailPorts.From(builder.Configuration);
var development = builder.AddRetailDevelopment();

if (LocalServicesChoice.Choose(builder.Configuration, args) == LocalServicesMode.Embedded)
{
    var app = builder.AddProject<Projects.Retail_Api>("api", launchProfileName: null)
        .WithHttpEndpoint(port: ports.Api, name: "http")
        .WithEnvironment("Retail__Embedded", "true")
        .WithRetailDevelopment(development)
        .WithHttpHealthCheck("/health");
    builder.AddStateFiles(development, app, app, broker: null);
    builder.Build().Run();
    return;
}

var services = LocalServicesChoice.Choose(builder.Configuration, args) == LocalServicesMode.Containers
    ? builder.AddContainerServices(ports)
    : builder.AddBinaryServices(ports);

var orleans = builder.AddOrleans("orleans")
    .WithClusterId("retail")
    .WithServiceId("retail")
    .WithClustering(services.Database)
    .WithRetailGrainStorage(services.Database)
    .WithReminders(services.Database);

var silo = builder.AddProject<Projects.Retail_Silo>("silo", launchProfileName: null)
    .WithReplicas(2)
    .WithHttpEndpoint(port: ports.Silo, name: "http")
    .WithHttpEndpoint(port: ports.OrleansDashboard, name: "orleans-dashboard", env: "Orleans__DashboardPort")
    .WithUrlForEndpoint("orleans-dashboard", url => url.DisplayText = "Orleans dashboard")
    .WithReference(orleans)
    .WithReference(services.Database).WaitFor(services.DatabaseServer)
    .WithRetailMessaging(services).WaitFor(services.BrokerServer)
    .WithEnvironment("Orleans__Endpoints__AdvertisedIPAddress", "127.0.0.1")
    .WithEnvironment("Orders__Directory", "false")
    .WithRetailDevelopment(development)
    .WithHttpHealthCheck("/health");

var api = builder.AddProject<Projects.Retail_Api>("api", launchProfileName: null)
    .WithHttpEndpoint(port: ports.Api, name: "http")
    .WithUrlForEndpoint("http", url => url.DisplayText = "API")
    .WithRetailApiUrls()
    .WithReference(orleans.AsClient())
    .WithReference(services.Database)
    .WithRetailDevelopment(development)
    .WithHttpHealthCheck("/health")
    .WaitFor(silo);

var functions = builder.AddBuiltProject<Projects.Retail_Functions>("functions")
    .WithHttpEndpoint(port: ports.Bridge, name: "http", env: "ASPNETCORE_HTTP_PORTS")
    .WithUrlForEndpoint("http", url => url.DisplayText = "webhook bridge")
    .WithReference(orleans.AsClient())
    .WithReference(services.Database)
    .WithRetailMessaging(services)
    .WithRetailDevelopment(development)
    .WithHttpHealthCheck("/health")
    .WaitFor(silo);

builder.AddProject<Projects.Retail_Tools>("simulator", launchProfileName: null)
    .WithArgs("simulate")
    .WithReference(api)
    .WithEnvironment("services__functions__http__0", functions.GetEndpoint("http"))
    .WithRetailMessaging(services)
    .WithRetailDevelopment(development)
    .WithExplicitStart()
    .WaitFor(api).WaitFor(functions);

builder.AddStateFiles(development, api, functions, services);

builder.Build().Run();
