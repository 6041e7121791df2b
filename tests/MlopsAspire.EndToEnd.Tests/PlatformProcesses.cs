using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>The operating-system processes of a running platform, as the orchestrator reports them.</summary>
internal static class PlatformProcesses
{
    /// <summary>
    /// Every process of every project instance now (a project runs under a launcher whose child is the service),
    /// taken before a stop so that the test can wait for them to be gone: the tests stop a platform without the
    /// orchestrator waiting for its processes, and a store still checkpointing into its data folder would write it
    /// again after the test deleted it.
    /// </summary>
    public static async Task<IReadOnlyList<Process>> OfAsync(DistributedApplication app)
    {
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        var instances = model.Resources.OfType<ProjectResource>()
            .ToDictionary(project => project.Name, project => project.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1);
        var roots = new Dictionary<string, (string Project, int Pid)>(StringComparer.Ordinal);
        // The watch first replays every instance's current state; a project that is not running (one started only
        // on demand) never shows a process, hence the bound.
        using var replayed = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await foreach (var change in app.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (instances.ContainsKey(change.Resource.Name) && ProcessId(change.Snapshot) is { } pid)
                {
                    roots[change.ResourceId] = (change.Resource.Name, pid);
                    if (instances.All(project => roots.Values.Count(root => root.Project == project.Key) >= project.Value))
                    {
                        break;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Some project is not running: its instances have no process to wait for.
        }

        var processes = new List<Process>();
        foreach (var pid in roots.Values.SelectMany(root => Descendants(root.Pid).Prepend(root.Pid)))
        {
            try
            {
                processes.Add(Process.GetProcessById(pid));
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        return processes;
    }

    /// <summary>Waits until every process has exited, or the patience is spent; says which are still running then.</summary>
    public static async Task<IReadOnlyList<Process>> WaitForExitAsync(IReadOnlyList<Process> processes, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await Task.WhenAll(processes.Select(process => process.WaitForExitAsync(timeout.Token)));
        }
        catch (OperationCanceledException)
        {
            // Reported below.
        }

        return [.. processes.Where(process => !process.HasExited)];
    }

    public static int? ProcessId(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(property => property.Name == "executable.pid")?.Value is { } value
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : null;

    /// <summary>Every process below <paramref name="pid"/>, parents before their children.</summary>
    public static IEnumerable<int> Descendants(int pid)
    {
        var children = Directory.Exists($"/proc/{pid}/task")
            ? Directory.GetDirectories($"/proc/{pid}/task")
                .Select(task => Path.Combine(task, "children"))
                .Where(File.Exists)
                .SelectMany(file => File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(child => int.Parse(child, CultureInfo.InvariantCulture))
                .ToList()
            : [];
        return children.SelectMany(child => Descendants(child).Prepend(child));
    }
}
