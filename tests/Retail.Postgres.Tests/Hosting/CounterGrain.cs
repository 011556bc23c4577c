using Orleans.Concurrency;
using Retail.Postgres.Coalescing;

namespace Retail.Postgres.Tests.Hosting;

[Alias("Retail.Postgres.Tests.ICounterGrain")]
public interface ICounterGrain : IGrainWithStringKey
{
    [Alias("Increment")]
    Task<int> IncrementAsync();

    [Alias("Get")]
    Task<int> GetAsync();

    [Alias("GetSilo")]
    Task<SiloAddress> GetSiloAsync();

    [Alias("ScheduleReminder")]
    Task ScheduleReminderAsync();

    [Alias("GetReminderTicks")]
    Task<int> GetReminderTicksAsync();
}

public sealed class CounterState
{
    public int Count { get; set; }

    public int ReminderTicks { get; set; }
}

/// <summary>A reentrant grain on the PostgreSQL storage that coalesces its writes, as a busy inventory grain does.</summary>
[Reentrant]
internal sealed class CounterGrain(
    [PersistentState("counter", "counters")] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : Grain, ICounterGrain, IRemindable
{
    private readonly WriteCoalescer coalescer = new(() => state.WriteStateAsync(), _ => state.ReadStateAsync());

    public async Task<int> IncrementAsync()
    {
        var count = ++state.State.Count;
        await coalescer.FlushAsync();
        return count;
    }

    public Task<int> GetAsync() => Task.FromResult(state.State.Count);

    public Task<SiloAddress> GetSiloAsync() => Task.FromResult(silo.SiloAddress);

    public Task ScheduleReminderAsync() =>
        this.RegisterOrUpdateReminder("tick", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    public Task<int> GetReminderTicksAsync() => Task.FromResult(state.State.ReminderTicks);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State.ReminderTicks++;
        await coalescer.FlushAsync();
    }
}
