using System.Net.Sockets;
using Retail.Contracts;

namespace Retail.Functions.Webhooks;

/// <summary>Tells failures worth a retry (the cluster or a connection was briefly unavailable) from permanent ones.</summary>
internal static class TransientFailures
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        RetailException => false,
        TimeoutException or OrleansException or IOException or SocketException => true,
        OperationCanceledException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
