using System.Collections.Concurrent;
using System.Text;
using RabbitMQ.Client;

namespace Retail.Messaging.RabbitMq;

/// <summary>
/// The broker objects of an entity, declared over AMQP 0-9-1: a direct exchange <c>&lt;entity&gt;</c> routing to
/// <see cref="RabbitMqOptions.Partitions"/> quorum queues <c>&lt;entity&gt;.&lt;n&gt;</c> (single active consumer,
/// delivery limit, at-least-once dead-lettering), and the dead-letter exchange <c>&lt;entity&gt;.dlx</c> bound to the
/// quorum queue <c>&lt;entity&gt;.dead-letter</c>. Declaring is idempotent; each entity is declared once per process.
/// </summary>
internal sealed class RabbitMqTopology(RabbitMqConnection connection, RabbitMqOptions options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> declared = new(StringComparer.Ordinal);

    public int Partitions => options.Partitions;

    public static string Exchange(string entity) => entity;

    public static string PartitionQueue(string entity, int partition) => $"{entity}.{partition}";

    public static string DeadLetterExchange(string entity) => entity + ".dlx";

    public static string DeadLetterQueue(string entity) => entity + ".dead-letter";

    /// <summary>The partition (and routing key) of an ordering key: FNV-1a of its UTF-8 bytes, the same in every process.</summary>
    public int PartitionOf(string orderingKey)
    {
        var hash = 2166136261u;
        foreach (var value in Encoding.UTF8.GetBytes(orderingKey))
        {
            hash = (hash ^ value) * 16777619u;
        }

        return (int)(hash % (uint)options.Partitions);
    }

    public Task EnsureDeclaredAsync(string entity, CancellationToken cancellationToken)
    {
        var declaration = declared.GetOrAdd(entity, name => new Lazy<Task>(() => DeclareAsync(name)));
        var task = declaration.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            declared.TryRemove(new KeyValuePair<string, Lazy<Task>>(entity, declaration));
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task DeclareAsync(string entity)
    {
        var broker = await connection.GetAsync(CancellationToken.None);
        await using var channel = await broker.CreateChannelAsync();
        var deadLetterExchange = DeadLetterExchange(entity);
        await channel.ExchangeDeclareAsync(deadLetterExchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.QueueDeclareAsync(DeadLetterQueue(entity), durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        await channel.QueueBindAsync(DeadLetterQueue(entity), deadLetterExchange, "");
        await channel.ExchangeDeclareAsync(Exchange(entity), ExchangeType.Direct, durable: true, autoDelete: false);
        for (var partition = 0; partition < options.Partitions; partition++)
        {
            var queue = PartitionQueue(entity, partition);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-single-active-consumer"] = true,
                ["x-delivery-limit"] = options.MaxDeliveryCount,
                ["x-dead-letter-exchange"] = deadLetterExchange,
                ["x-dead-letter-strategy"] = "at-least-once",
                ["x-overflow"] = "reject-publish",
            });
            await channel.QueueBindAsync(queue, Exchange(entity), partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
