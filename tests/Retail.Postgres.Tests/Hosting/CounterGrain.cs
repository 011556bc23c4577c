using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;
using Retail.Postgres.Tests.Cluster;

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

/// <summary>A grain on the PostgreSQL storage that writes its state on every change.</summary>
internal sealed class CounterGrain(
    [PersistentState("counter", CounterStorageConfigurator.StorageName)] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : Grain, ICounterGrain, IRemindable
{
    public async Task<int> IncrementAsync()
    {
        var count = ++state.State.Count;
        await state.WriteStateAsync();
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
        await state.WriteStateAsync();
    }
}

/// <summary>The counters' grain storage on PostgreSQL, selected by configuration as Retail's grain storages are.</summary>
public sealed class CounterStorageConfigurator : IHostConfigurator
{
    public const string StorageName = "counters";

    public void Configure(IHostBuilder hostBuilder) => RetailPostgresSettings.AddGrainStorage(hostBuilder, StorageName);
}
