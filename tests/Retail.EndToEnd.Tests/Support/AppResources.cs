using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace Retail.EndToEnd.Tests.Support;

/// <summary>What the dashboard offers on a running app's resources: their process ids and their commands (Start, Stop).</summary>
internal static class AppResources
{
    private static readonly TimeSpan SnapshotSettle = TimeSpan.FromSeconds(5);

    /// <summary>The process id of every running instance of <paramref name="resource"/> (a replica each), as the resource snapshots give it.</summary>
    public static async Task<List<int>> ProcessIdsAsync(this DistributedApplication app, string resource, CancellationToken cancellationToken) =>
        [.. (await RunningInstancesAsync(app, resource, cancellationToken)).Values];

    /// <summary>
    /// Every running instance of <paramref name="resource"/>: its instance name (a replica's, as the dashboard lists it, e.g.
    /// <c>silo-abcd1234</c>) and its process id.
    /// </summary>
    public static async Task<Dictionary<string, int>> RunningInstancesAsync(this DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        var pids = new Dictionary<string, int>(StringComparer.Ordinal);
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        settle.CancelAfter(SnapshotSettle);
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(settle.Token))
            {
                if (update.Resource.Name != resource)
                {
                    continue;
                }
                if (update.Snapshot.State?.Text == KnownResourceStates.Running
                    && update.Snapshot.Properties.FirstOrDefault(property => property.Name == "executable.pid")?.Value is { } pid)
                {
                    pids[update.ResourceId] = Convert.ToInt32(pid, CultureInfo.InvariantCulture);
                }
                else
                {
                    pids.Remove(update.ResourceId);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return pids;
    }

    /// <summary>Runs the resource's command as the dashboard's button does, and fails the test when the command fails.</summary>
    public static async Task ExecuteAsync(this DistributedApplication app, string resource, string command, CancellationToken cancellationToken)
    {
        var result = await app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, command, cancellationToken);
        Assert.True(result.Success, $"{command} on {resource} failed: {result.Message}");
    }
}
