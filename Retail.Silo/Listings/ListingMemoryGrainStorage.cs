using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Retail.Contracts.Projections;

namespace Retail.Silo.Listings;

/// <summary>
/// Orleans' in-memory grain storage that also keeps the listing rows a state declares (<see cref="IProjectedState"/>)
/// in <see cref="InMemoryListings"/>, once the state is stored: the embedded mode's counterpart of the PostgreSQL
/// storage, which writes them in the state's transaction.
/// </summary>
internal sealed class ListingMemoryGrainStorage(IGrainStorage inner, InMemoryListings listings) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (grainState.State is IProjectedState projected)
        {
            listings.Write(projected.ListingRows());
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}

public static class ListingMemoryGrainStorageExtensions
{
    /// <summary>A named in-memory grain storage whose states' listing rows go to the process's <see cref="InMemoryListings"/>.</summary>
    public static ISiloBuilder AddRetailMemoryGrainStorage(this ISiloBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MemoryGrainStorageOptions>(name);
        builder.Services.TryAddSingleton<InMemoryListings>();
        builder.Services.AddGrainStorage(name, static (services, providerName) => new ListingMemoryGrainStorage(
            MemoryGrainStorageFactory.Create(services, providerName), services.GetRequiredService<InMemoryListings>()));
        return builder;
    }
}
