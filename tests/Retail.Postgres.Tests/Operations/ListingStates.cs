using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Retail.Contracts.Exceptions;
using Retail.Contracts.Projections;
using Retail.Postgres.Storage;

namespace Retail.Postgres.Tests.Operations;

/// <summary>A state that declares the listing rows it is given, as the grains' states do.</summary>
public sealed class ListedState : IProjectedState
{
    public string Name { get; set; } = "";

    [JsonIgnore]
    public List<IListingRow> Rows { get; set; } = [];

    public IReadOnlyList<IListingRow> ListingRows() => Rows;

    public static ListedState Of(params ExceptionRecord[] records) => new() { Rows = [.. records.Select(r => new ExceptionListing(r))] };
}

/// <summary>The PostgreSQL grain storage of one test's service, on the fixture's data source unless given another.</summary>
internal sealed class ListingStorage(PostgresFixture fixture, IOptions<ClusterOptions> cluster, NpgsqlDataSource? dataSource = null)
{
    private static readonly IActivatorProvider Activators =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<IActivatorProvider>();

    public PostgresGrainStorage Storage { get; } = new(
        "test", dataSource ?? fixture.DataSource, fixture.Schema(), new PostgresGrainStorageOptions(), cluster, Activators,
        new GrainStateWriteBatcher(dataSource ?? fixture.DataSource), NullLogger<PostgresGrainStorage>.Instance);

    public async Task<TestGrainState<T>> WriteAsync<T>(string grainKey, T state, TestGrainState<T>? previous = null)
    {
        var grainState = previous ?? new TestGrainState<T> { State = state };
        grainState.State = state;
        await Storage.WriteStateAsync("listed", GrainOf(grainKey), grainState);
        return grainState;
    }

    public async Task<TestGrainState<T>> ReadAsync<T>(string grainKey)
    {
        var grainState = new TestGrainState<T> { State = default };
        await Storage.ReadStateAsync("listed", GrainOf(grainKey), grainState);
        return grainState;
    }

    public Task ClearAsync<T>(string grainKey, TestGrainState<T> grainState) => Storage.ClearStateAsync("listed", GrainOf(grainKey), grainState);

    private static GrainId GrainOf(string grainKey) => GrainId.Create("listed", grainKey);
}
