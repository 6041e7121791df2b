using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;
using MlopsAspire.Inference.Pipeline;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// Keeps the replica's models in step with the control plane: reads the registry's routing table at every poll
/// and as soon as the source hears of a change, applies tables with a newer stamp (download, load, set production
/// versions, unload what is no longer routed) and keeps serving from the last applied table while the control
/// plane is unreachable. Polling stays the fallback: a lost push costs at most one poll interval. A table that
/// applied only partly is applied again at each poll, where the reconciler tries each failed version once its
/// backoff has passed.
/// </summary>
public sealed partial class RoutingTableSync(
    IRoutingTableSource routingTables,
    IModelArtifactSource artifacts,
    ModelSetReconciler reconciler,
    ModelRepository repository,
    TrafficRoutes traffic,
    IOptions<InferenceOptions> options,
    ILogger<RoutingTableSync> logger,
    TimeProvider? timeProvider = null) : BackgroundService
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private long _appliedStamp = -1;
    private long _partlyAppliedStamp = -1;
    private bool _controlPlaneDown;

    /// <summary>Stamp of the last table applied in full; -1 before the first.</summary>
    public long AppliedStamp => Interlocked.Read(ref _appliedStamp);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var table = await routingTables.GetRoutingTableAsync(stoppingToken);
                if (_controlPlaneDown)
                {
                    LogReachableAgain();
                    _controlPlaneDown = false;
                }

                if (table.Stamp > AppliedStamp)
                {
                    await ApplyAsync(table, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                if (!_controlPlaneDown)
                {
                    LogUnreachable(exception, AppliedStamp);
                    _controlPlaneDown = true;
                }
            }

            await WaitForNextReadAsync(stoppingToken);
        }
    }

    /// <summary>Waits out the poll interval, or less when the source hears of a change (a promotion, say).</summary>
    private async Task WaitForNextReadAsync(CancellationToken stoppingToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var pollDue = Task.Delay(options.Value.RoutingPollInterval, _time, waiting.Token);
        var changed = routingTables.WaitForChangeAsync(waiting.Token);
        var first = await Task.WhenAny(pollDue, changed);
        if (first == changed && changed.IsFaulted)
        {
            // Not the source's contract, but polling must go on at its pace rather than spin.
            LogWaitFailed(changed.Exception);
            await Task.WhenAny(pollDue);
        }

        await waiting.CancelAsync();
    }

    private async Task ApplyAsync(RoutingTable table, CancellationToken cancellationToken)
    {
        var desired = new List<DesiredVersion>();
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var route in table.Models)
        {
            foreach (var version in route.Versions)
            {
                desired.Add(new DesiredVersion(route.ModelName, version.Version, version.ArtifactSha256, version.ServingConfigJson));
            }

            defaults[route.ModelName] = string.IsNullOrEmpty(route.ProductionVersion) ? null : route.ProductionVersion;
        }

        var allLoaded = await reconciler.ApplyAsync(
            desired,
            defaults,
            (version, ct) => artifacts.GetLocalPathAsync(version.ContentKey, ct),
            cancellationToken);

        // Canary and shadow splits follow the table even when a version failed to load: the pipeline routes
        // only to loaded versions, and a shadow that is missing just drops its copies.
        traffic.Apply(table);
        if (allLoaded)
        {
            Interlocked.Exchange(ref _appliedStamp, table.Stamp);
            // Ready stays true after the first full table: a later bad artifact is retried and logged, but
            // must not take every replica out of rotation at once.
            repository.SetReady(true);
            LogApplied(table.Stamp, desired.Count, table.Models.Count);
        }
        else if (Interlocked.Exchange(ref _partlyAppliedStamp, table.Stamp) != table.Stamp)
        {
            // Once per table: the reconciler logs each failed attempt, and retries back off.
            LogAppliedPartly(table.Stamp);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Control plane reachable again")]
    private partial void LogReachableAgain();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Control plane unreachable; serving from routing table stamp {Stamp} and retrying")]
    private partial void LogUnreachable(Exception exception, long stamp);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for routing table changes failed; polling")]
    private partial void LogWaitFailed(Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied routing table stamp {Stamp}: {Versions} versions of {Models} models")]
    private partial void LogApplied(long stamp, int versions, int models);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing table stamp {Stamp} applied partly; retrying the versions that failed")]
    private partial void LogAppliedPartly(long stamp);
}
