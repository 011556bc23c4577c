using Amqp;

namespace Retail.Messaging.Amqp;

/// <summary>
/// The credit of one receiver link, issued only when the broker has used all it had, so that no flow is ever sent
/// while messages may be on their way. RabbitMQ 3.10's AMQP 1.0 plugin counts a flow against quorum-queue deliveries
/// it has not passed on to the link yet, so a flow sent mid-delivery lets the broker send more than the link allows,
/// and the link is closed; its unsettled messages then come back in an order of the broker's choosing. The link never
/// holds more than the window of unsettled messages (except what <see cref="Widen"/> adds).
/// </summary>
internal sealed class ReceiverCredit(ReceiverLink link, int window)
{
    private readonly Lock gate = new();
    private int limit = window;
    private int outstanding;
    private int unsettled;
    private bool closed;

    public ReceiverLink Link { get; } = link;

    /// <summary>Credit the broker has not used yet.</summary>
    public int Outstanding
    {
        get
        {
            lock (gate)
            {
                return outstanding;
            }
        }
    }

    /// <summary>Issues the first credit.</summary>
    public void Open() => TopUp();

    /// <summary>A message arrived on the link.</summary>
    public void Received()
    {
        lock (gate)
        {
            outstanding--;
            unsettled++;
        }

        TopUp();
    }

    /// <summary>A message of the link was settled (or is given up).</summary>
    public void Settled()
    {
        lock (gate)
        {
            unsettled--;
        }

        TopUp();
    }

    /// <summary>Lets the link hold <paramref name="extra"/> more messages than its window.</summary>
    public void Widen(int extra)
    {
        lock (gate)
        {
            limit += extra;
        }

        TopUp();
    }

    /// <summary>Issues no more credit.</summary>
    public void Close()
    {
        lock (gate)
        {
            closed = true;
        }
    }

    /// <summary>
    /// Asks the broker to use up or give back the credit it still has, so that nothing more arrives. A drain is a flow
    /// too: call it only once nothing is on its way.
    /// </summary>
    public void Drain()
    {
        lock (gate)
        {
            if (outstanding > 0 && !Link.IsClosed)
            {
                Link.SetCredit(outstanding, CreditMode.Drain);
            }
        }
    }

    private void TopUp()
    {
        lock (gate)
        {
            var grant = limit - unsettled;
            if (closed || outstanding > 0 || grant <= 0 || Link.IsClosed)
            {
                return;
            }

            outstanding = grant;
            Link.SetCredit(grant, CreditMode.Manual);
        }
    }
}
