namespace Retail.Functions.Tests.Fakes;

/// <summary>A clock a test sets; timers and delays still run in real time.</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    private long ticks = now.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
