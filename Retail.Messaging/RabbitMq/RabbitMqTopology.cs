using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Logging;
using Retail.Messaging.Amqp;

namespace Retail.Messaging.RabbitMq;

/// <summary>
/// Declares the broker's topology through the management HTTP API, because AMQP 1.0 addresses cannot carry queue
/// arguments: per queue a quorum queue with <c>x-delivery-limit</c>, single active consumer and dead-lettering to
/// <c>&lt;queue&gt;.dlx</c> (fanout) bound to <c>&lt;queue&gt;.dead-letter</c>; per event stream a fanout exchange bound
/// to a queue of the same name so the events can be read.
/// </summary>
internal sealed partial class RabbitMqTopology(RabbitMqOptions options, IHttpClientFactory httpClientFactory, ILogger<RabbitMqTopology> logger) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly HashSet<string> declared = new(StringComparer.OrdinalIgnoreCase);

    public static string DeadLetterExchange(string queue) => queue + ".dlx";

    public static string DeadLetterQueue(string queue) => queue + ".dead-letter";

    public bool IsEventStream(string entity) => options.EventStreams.Contains(entity, StringComparer.OrdinalIgnoreCase);

    public void Dispose() => gate.Dispose();

    /// <summary>Declares every configured queue and event stream (idempotent).</summary>
    public async Task DeclareAllAsync(CancellationToken cancellationToken)
    {
        foreach (var entity in options.Queues.Concat(options.EventStreams))
        {
            await EnsureDeclaredAsync(entity, cancellationToken);
        }
    }

    /// <summary>Declares <paramref name="entity"/> once per process: an event stream if configured as one, otherwise a queue.</summary>
    public async Task EnsureDeclaredAsync(string entity, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (declared.Contains(entity))
            {
                return;
            }

            using var http = CreateClient();
            await DeclareQueueAsync(http, entity, cancellationToken);
            if (IsEventStream(entity))
            {
                await PutAsync(http, $"exchanges/%2F/{Uri.EscapeDataString(entity)}", new { type = "fanout", durable = true }, cancellationToken);
                await PostAsync(http, $"bindings/%2F/e/{Uri.EscapeDataString(entity)}/q/{Uri.EscapeDataString(entity)}", new { routing_key = "" }, cancellationToken);
            }

            declared.Add(entity);
            LogDeclared(logger, entity, IsEventStream(entity) ? "event stream" : "queue");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Whether the management API answers.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        using var http = CreateClient();
        using var response = await http.GetAsync(new Uri("overview", UriKind.Relative), cancellationToken);
        return response.IsSuccessStatusCode;
    }

    private async Task DeclareQueueAsync(HttpClient http, string queue, CancellationToken cancellationToken)
    {
        var deadLetterExchange = Uri.EscapeDataString(DeadLetterExchange(queue));
        var deadLetterQueue = Uri.EscapeDataString(DeadLetterQueue(queue));
        await PutAsync(http, $"exchanges/%2F/{deadLetterExchange}", new { type = "fanout", durable = true }, cancellationToken);
        await PutAsync(http, $"queues/%2F/{deadLetterQueue}", new { durable = true, arguments = new Dictionary<string, object> { ["x-queue-type"] = "quorum" } }, cancellationToken);
        await PostAsync(http, $"bindings/%2F/e/{deadLetterExchange}/q/{deadLetterQueue}", new { routing_key = "" }, cancellationToken);
        await PutAsync(http, $"queues/%2F/{Uri.EscapeDataString(queue)}", new
        {
            durable = true,
            arguments = new Dictionary<string, object>
            {
                ["x-queue-type"] = "quorum",
                ["x-delivery-limit"] = options.MaxDeliveryCount - 1,
                ["x-dead-letter-exchange"] = DeadLetterExchange(queue),
                ["x-single-active-consumer"] = true,
            },
        }, cancellationToken);
    }

    private HttpClient CreateClient()
    {
        var endpoint = AmqpEndpoint.Parse(options.ConnectionString ?? throw new InvalidOperationException("ConnectionStrings:retail-broker is not set."));
        var management = options.ManagementUri ?? new Uri($"http://{endpoint.Host}:15672");
        var http = httpClientFactory.CreateClient(nameof(RabbitMqTopology));
        http.BaseAddress = new Uri(management, "/api/");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{endpoint.User ?? "guest"}:{endpoint.Password ?? "guest"}")));
        return http;
    }

    private static async Task PutAsync(HttpClient http, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync(new Uri(path, UriKind.Relative), body, cancellationToken);
        await EnsureSuccessAsync(response, "PUT", path, cancellationToken);
    }

    private static async Task PostAsync(HttpClient http, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, cancellationToken);
        await EnsureSuccessAsync(response, "POST", path, cancellationToken);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string method, string path, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"RabbitMQ management API {method} /api/{path} answered {(int)response.StatusCode}: {text}");
        }
    }

    [LoggerMessage(EventId = 2701, Level = LogLevel.Information, Message = "Declared RabbitMQ {Kind} {Entity}")]
    private static partial void LogDeclared(ILogger logger, string entity, string kind);
}
