using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;

namespace Retail.Messaging.Amqp;

/// <summary>One live connection with its session, its sender links and whatever the dialect keeps per connection.</summary>
internal sealed class AmqpConnectionScope : IAsyncDisposable
{
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource closed = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<SenderLink>>> senders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task>> preparedEntities = new(StringComparer.OrdinalIgnoreCase);
    private readonly IAmqpDialect dialect;

    public AmqpConnectionScope(Connection connection, IAmqpDialect dialect)
    {
        Connection = connection;
        this.dialect = dialect;
        Session = new Session(connection);
        connection.AddClosedCallback((_, _) => closed.Cancel());
        Session.AddClosedCallback((_, _) => closed.Cancel());
    }

    public Connection Connection { get; }

    public Session Session { get; }

    /// <summary>Cancelled when the connection or its session closes.</summary>
    public CancellationToken Closed => closed.Token;

    public bool IsClosed => closed.IsCancellationRequested || Connection.IsClosed || Session.IsClosed;

    /// <summary>Per-connection state of the dialect (e.g. its claims-based security client).</summary>
    public ConcurrentDictionary<string, object> DialectState { get; } = new(StringComparer.Ordinal);

    public Task PrepareEntityAsync(string entity, CancellationToken cancellationToken) =>
        preparedEntities.GetOrAdd(entity, name => new Lazy<Task>(() => dialect.PrepareEntityAsync(this, name, Closed))).Value.WaitAsync(cancellationToken);

    public async Task<SenderLink> GetSenderAsync(string address, string entity, CancellationToken cancellationToken)
    {
        var lazy = senders.GetOrAdd(address, key => new Lazy<Task<SenderLink>>(() => AttachSenderAsync(key, entity)));
        try
        {
            var link = await lazy.Value.WaitAsync(cancellationToken);
            if (!link.IsClosed)
            {
                return link;
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            senders.TryRemove(new KeyValuePair<string, Lazy<Task<SenderLink>>>(address, lazy));
            throw;
        }

        senders.TryRemove(new KeyValuePair<string, Lazy<Task<SenderLink>>>(address, lazy));
        return await GetSenderAsync(address, entity, cancellationToken);
    }

    /// <summary>Attaches a link and waits for the broker's attach reply (or its refusal).</summary>
    public async Task<(TLink Link, Attach Remote)> AttachAsync<TLink>(Func<OnAttached, TLink> create, CancellationToken cancellationToken)
        where TLink : Link
    {
        var attached = new TaskCompletionSource<Attach>(TaskCreationOptions.RunContinuationsAsynchronously);
        var link = create((_, remote) => attached.TrySetResult(remote));
        link.AddClosedCallback((_, error) => attached.TrySetException(new AmqpException(error ?? new Error(global::Amqp.ErrorCode.DetachForced) { Description = "The link was closed while attaching." })));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Closed);
        try
        {
            var remote = await attached.Task.WaitAsync(AttachTimeout, linked.Token);
            if (link.IsClosed)
            {
                throw new AmqpException(link.Error ?? new Error(global::Amqp.ErrorCode.DetachForced) { Description = "The broker refused the link." });
            }

            return (link, remote);
        }
        catch
        {
            await CloseQuietlyAsync(link);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await closed.CancelAsync();
        await CloseQuietlyAsync(Connection);
        closed.Dispose();
    }

    public static async Task CloseQuietlyAsync(AmqpObject amqpObject)
    {
        try
        {
            if (!amqpObject.IsClosed)
            {
                await amqpObject.CloseAsync(TimeSpan.FromSeconds(5), null);
            }
        }
        catch (Exception exception) when (exception is AmqpException or ObjectDisposedException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            // Closing an already broken connection or link fails; there is nothing left to release.
        }
    }

    private async Task<SenderLink> AttachSenderAsync(string address, string entity)
    {
        await PrepareEntityAsync(entity, Closed);
        var (link, _) = await AttachAsync(onAttached => new SenderLink(
            Session,
            "send-" + entity + "-" + Guid.NewGuid().ToString("N")[..8],
            new Attach
            {
                Source = new Source { Address = Guid.NewGuid().ToString("N") },
                Target = new Target { Address = address },
                SndSettleMode = SenderSettleMode.Unsettled,
                RcvSettleMode = ReceiverSettleMode.First,
            },
            onAttached), Closed);
        return link;
    }
}
