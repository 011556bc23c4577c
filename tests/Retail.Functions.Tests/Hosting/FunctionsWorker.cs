using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Retail.Functions.Hosting;
using Retail.Functions.Tests.Webhooks;
using Retail.Silo;

namespace Retail.Functions.Tests.Hosting;

/// <summary>
/// The bridge as the Functions host runs it: the worker's own composition (<see cref="BridgeWorker.CreateBuilder"/>,
/// an Orleans client) connected to a silo with the real grains on in-memory storage. Everything the worker hosts runs
/// except the gRPC channel to the Functions host and the host-facing HTTP server, which need the Functions host.
/// Functions are created by the worker's own <see cref="IFunctionActivator"/> and called with a real HttpRequest.
/// </summary>
public sealed class FunctionsWorker : IAsyncLifetime
{
    private readonly List<IHostedService> started = [];
    private IHost silo = null!;
    private IHost worker = null!;

    public IServiceProvider Services => worker.Services;

    public IGrainFactory Grains => worker.Services.GetRequiredService<IGrainFactory>();

    public async Task InitializeAsync()
    {
        var siloPort = FreePort();
        var gatewayPort = FreePort();
        var cluster = new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = "dev",
            ["Orleans:ServiceId"] = "dev",
            ["Orleans:Endpoints:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Messaging:Transport"] = "InMemory",
        };
        var siloBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        siloBuilder.Configuration.AddInMemoryCollection(cluster);
        siloBuilder.AddRetailSilo();
        silo = siloBuilder.Build();
        await silo.StartAsync();

        var settings = new Dictionary<string, string?>(cluster)
        {
            ["Webhooks:Shopify:Secrets:0"] = BridgeHost.ShopifyNewSecret,
            ["Webhooks:Stripe:Secrets:0"] = BridgeHost.StripeSecret,
            ["Webhooks:Sources:marketplace:Secret"] = BridgeHost.MarketplaceSecret,
            ["Bridge:ErpInbound:Enabled"] = "false",
        };
        // What the Functions host gives its worker (the worker reads its own process's arguments, so the test passes
        // their configuration keys), then the settings, all as command-line configuration.
        var workerId = Guid.NewGuid().ToString();
        settings["Functions:Worker:HostEndpoint"] = "http://127.0.0.1:9/";
        settings["Functions:Worker:WorkerId"] = workerId;
        settings["Functions:Worker:RequestId"] = workerId;
        settings["Functions:Worker:GrpcMaxMessageLength"] = "2147483647";
        string[] args = [.. settings.SelectMany(setting => new[] { $"--{setting.Key}", setting.Value! })];
        worker = BridgeWorker.CreateBuilder(args).Build();
        foreach (var service in worker.Services.GetServices<IHostedService>())
        {
            var name = service.GetType().FullName;
            if (name is "Microsoft.Azure.Functions.Worker.WorkerHostedService" or "Microsoft.AspNetCore.Hosting.GenericWebHostService")
            {
                continue;
            }
            await service.StartAsync(CancellationToken.None);
            started.Add(service);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(started))
        {
            await service.StopAsync(CancellationToken.None);
        }
        worker.Dispose();
        await silo.StopAsync();
        silo.Dispose();
    }

    /// <summary>Creates <typeparamref name="TFunction"/> as the worker does for an invocation and runs it on a request.</summary>
    public async Task<Answer> InvokeAsync<TFunction>(
        string method, string path, byte[] body, IDictionary<string, string> headers, Func<TFunction, HttpRequest, Task<IResult>> run)
        where TFunction : class
    {
        await using var scope = worker.Services.CreateAsyncScope();
        var activator = worker.Services.GetRequiredService<IFunctionActivator>();
        var function = (TFunction)activator.CreateInstance(typeof(TFunction), new InvocationContext(scope.ServiceProvider))!;
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }
        var response = new MemoryStream();
        context.Response.Body = response;

        var result = await run(function, context.Request);
        await result.ExecuteAsync(context);

        return new Answer(context.Response.StatusCode, Encoding.UTF8.GetString(response.ToArray()), context.Response.Headers);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public sealed record Answer(int StatusCode, string Body, IHeaderDictionary Headers);

    /// <summary>
    /// The invocation context the activator reads: the invocation's services. The worker's own context is created
    /// from a Functions host's invocation request; the members that describe that request are not used here.
    /// </summary>
    private sealed class InvocationContext(IServiceProvider services) : FunctionContext
    {
        public override string InvocationId { get; } = Guid.NewGuid().ToString();

        public override string FunctionId => throw NotFromTheHost();

        public override TraceContext TraceContext => throw NotFromTheHost();

        public override BindingContext BindingContext => throw NotFromTheHost();

        public override RetryContext RetryContext => throw NotFromTheHost();

        public override IServiceProvider InstanceServices { get; set; } = services;

        public override FunctionDefinition FunctionDefinition => throw NotFromTheHost();

        public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

        public override IInvocationFeatures Features => throw NotFromTheHost();

        private static NotSupportedException NotFromTheHost() => new("Only a Functions host's invocation request carries this.");
    }
}

[CollectionDefinition(Name)]
public sealed class FunctionsWorkerCollection : ICollectionFixture<FunctionsWorker>
{
    public const string Name = "functions worker";
}
