using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Faults done to a running platform's processes: <c>kill -9</c> of one instance (a node dying: no shutdown, no
/// goodbye to the cluster), and the orchestrator's own stop, start and restart commands, as the dashboard offers them.
/// </summary>
public sealed class ResourceFaults(DistributedApplication app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>The <paramref name="count"/> instances of a resource (one per replica), by the ids the orchestrator knows them by.</summary>
    public async Task<IReadOnlyList<string>> InstancesOfAsync(string resourceName, int count = 1)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var instances = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var change in app.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (change.Resource.Name == resourceName && instances.Add(change.ResourceId) && instances.Count == count)
            {
                return [.. instances];
            }
        }

        throw new TimeoutException($"{resourceName} has not {count} instances");
    }

    /// <summary>
    /// Kills the instance's process and everything it started with SIGKILL (a project runs under a launcher whose
    /// child is the service), then waits until the orchestrator has seen it go.
    /// </summary>
    public async Task KillAsync(string instanceId)
    {
        var state = await WaitForAsync(instanceId, snapshot => PlatformProcesses.ProcessId(snapshot) is not null && snapshot.State?.Text == KnownResourceStates.Running);
        var root = PlatformProcesses.ProcessId(state)!.Value;
        foreach (var pid in PlatformProcesses.Descendants(root).Reverse().Append(root))
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        await WaitForAsync(instanceId, snapshot => snapshot.State?.Text != KnownResourceStates.Running);
    }

    /// <summary>Stops an instance through the orchestrator (SIGTERM: a graceful shutdown) and waits until it is down.</summary>
    /// <remarks>
    /// A silo's graceful shutdown (leaving the membership, handing off its grains) can outlast the orchestrator's wait
    /// for it, which then reports the stop as failed while the process goes on to exit: what counts is that it does.
    /// </remarks>
    public async Task StopAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(instanceId, "stop", timeout.Token);
        await WaitForAsync(instanceId, snapshot => snapshot.State?.Text != KnownResourceStates.Running);
    }

    /// <summary>Starts a stopped or killed instance again and waits until it is healthy.</summary>
    public async Task StartAsync(string instanceId)
    {
        await ExecuteAsync(instanceId, "start");
        await WaitUntilHealthyAsync(instanceId);
    }

    /// <summary>Restarts an instance through the orchestrator (a graceful stop, then a start) and waits until it is healthy.</summary>
    public async Task RestartAsync(string instanceId)
    {
        await ExecuteAsync(instanceId, "restart");
        await WaitUntilHealthyAsync(instanceId);
    }

    public Task WaitUntilHealthyAsync(string instanceId) =>
        WaitForAsync(instanceId, snapshot => snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy);

    private async Task ExecuteAsync(string instanceId, string command)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var result = await app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(instanceId, command, timeout.Token);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {instanceId} failed: {result.Message}");
        }
    }

    private async Task<CustomResourceSnapshot> WaitForAsync(string instanceId, Func<CustomResourceSnapshot, bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await foreach (var change in app.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (change.ResourceId == instanceId && condition(change.Snapshot))
            {
                return change.Snapshot;
            }
        }

        throw new TimeoutException($"{instanceId} did not get there in {Patience}");
    }
}
