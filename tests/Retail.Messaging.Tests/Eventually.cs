namespace Retail.Messaging.Tests;

/// <summary>Polls until a condition holds; generous timeouts because the test machine may be busy.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(because ?? "The condition did not hold in time.");
            }

            await Task.Delay(20);
        }
    }
}
