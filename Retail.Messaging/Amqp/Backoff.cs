namespace Retail.Messaging.Amqp;

/// <summary>Exponential backoff with jitter between reconnect attempts.</summary>
internal static class Backoff
{
    public static TimeSpan Delay(int attempt, TimeSpan max)
    {
        var exponential = TimeSpan.FromMilliseconds(200 * Math.Pow(2, Math.Min(attempt, 10)));
        var capped = exponential < max ? exponential : max;
        return capped * (0.75 + (Random.Shared.NextDouble() * 0.5));
    }
}
