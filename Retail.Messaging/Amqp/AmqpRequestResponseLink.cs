using System.Collections.Concurrent;
using Amqp;
using Amqp.Framing;

namespace Retail.Messaging.Amqp;

/// <summary>A request/response pair of links to a management node ($cbs, <c>&lt;entity&gt;/$management</c>), replies matched by correlation id.</summary>
internal sealed class AmqpRequestResponseLink : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Message>> pending = new(StringComparer.Ordinal);
    private readonly string replyTo = "reply-" + Guid.NewGuid().ToString("N");
    private SenderLink? sender;
    private ReceiverLink? receiver;

    private AmqpRequestResponseLink(string node) => Node = node;

    public string Node { get; }

    public string ReceiverLinkName { get; } = "mgmt-receive-" + Guid.NewGuid().ToString("N")[..8];

    public bool IsClosed => sender is null || receiver is null || sender.IsClosed || receiver.IsClosed;

    public static async Task<AmqpRequestResponseLink> OpenAsync(AmqpConnectionScope scope, string node, CancellationToken cancellationToken)
    {
        var link = new AmqpRequestResponseLink(node);
        try
        {
            (link.sender, _) = await scope.AttachAsync(onAttached => new SenderLink(scope.Session, "mgmt-send-" + Guid.NewGuid().ToString("N")[..8], new Attach
            {
                Source = new Source { Address = link.replyTo },
                Target = new Target { Address = node },
                SndSettleMode = SenderSettleMode.Unsettled,
                RcvSettleMode = ReceiverSettleMode.First,
            }, onAttached), cancellationToken);
            (link.receiver, _) = await scope.AttachAsync(onAttached => new ReceiverLink(scope.Session, link.ReceiverLinkName, new Attach
            {
                Source = new Source { Address = node },
                Target = new Target { Address = link.replyTo },
                SndSettleMode = SenderSettleMode.Unsettled,
                RcvSettleMode = ReceiverSettleMode.First,
            }, onAttached), cancellationToken);
            link.receiver.Start(50, link.OnResponse);
            return link;
        }
        catch
        {
            await link.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends <paramref name="request"/> (its message id and reply-to are set here) and waits for the reply.</summary>
    public async Task<Message> RequestAsync(Message request, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString();
        request.Properties ??= new Properties();
        request.Properties.MessageId = id;
        request.Properties.ReplyTo = replyTo;
        var reply = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = reply;
        try
        {
            await (sender ?? throw new ObjectDisposedException(Node)).SendAsync(request).WaitAsync(RequestTimeout, cancellationToken);
            return await reply.Task.WaitAsync(RequestTimeout, cancellationToken);
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var link in new Link?[] { sender, receiver })
        {
            if (link is not null)
            {
                await AmqpConnectionScope.CloseQuietlyAsync(link);
            }
        }
    }

    private void OnResponse(IReceiverLink link, Message message)
    {
        link.Accept(message);
        if (message.Properties?.CorrelationId is { } correlationId && pending.TryGetValue(correlationId, out var reply))
        {
            reply.TrySetResult(message);
        }
    }
}
