using Microsoft.Extensions.Options;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Serving;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Monitoring.Recording;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// Sends each served version's statistics to its monitoring grain about once a second, as awaited calls (the
/// grain's pace is the replica's backpressure). A snapshot that cannot be delivered is kept and sent again with
/// the same sequence number, so the grain counts it once; while the control plane is unreachable up to
/// <see cref="MonitoringOptions.MaxPendingSnapshots"/> per version are kept, older ones dropped and counted
/// (<see cref="ReplicaMonitoring.SnapshotsPending"/>, <see cref="ReplicaMonitoring.SnapshotsDropped"/>). Requests never
/// wait for any of it: they only write to the accumulator this drains.
/// </summary>
public sealed partial class StatisticsPublisher(
    ReplicaMonitoring monitoring,
    IMonitoringSink sink,
    ModelRepository repository,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<StatisticsPublisher> logger) : BackgroundService
{
    private bool _sinkDown;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schedule = new StatisticsFlushSchedule(time, options.Value.FlushInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await schedule.WaitUntilDueAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var now = schedule.BeginFlush();
            await FlushAsync(now, stoppingToken);
        }

        // A last flush so a replica that stops gracefully loses nothing, bounded so that its stop is not held up.
        using var shutdown = new CancellationTokenSource(options.Value.FinalFlushTimeout, time);
        await FlushAsync(time.GetUtcNow(), shutdown.Token);
    }

    /// <summary>Drains every version and delivers what is pending; exposed for tests.</summary>
    public async Task FlushAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        foreach (var version in monitoring.Versions.ToList())
        {
            try
            {
                await RefreshProfileAsync(version, now, cancellationToken);
                Enqueue(version, version.Accumulator.Drain(version.SnapshotSenderId, now), settings);
                await DeliverAsync(version, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                if (!_sinkDown)
                {
                    LogDeliveryFailed(exception, version.ModelName, version.Version);
                    _sinkDown = true;
                }
            }

            // A version no longer loaded is forgotten once its last statistics are delivered.
            if (version.Pending.Count == 0 && !repository.TryResolve(version.ModelName, version.Version, out _))
            {
                monitoring.Forget(version.ModelName, version.Version);
            }
        }
    }

    private async Task RefreshProfileAsync(VersionStatistics version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (version.HasProfile || now - version.LastProfileCheck < options.Value.ProfileRefreshInterval)
        {
            return;
        }

        version.LastProfileCheck = now;
        if (await sink.GetReferenceProfileAsync(version.ModelName, version.Version, cancellationToken) is { } profile)
        {
            var (previous, previousSender) = version.UseProfile(profile, now);
            Enqueue(version, previous.Drain(previousSender, now), options.Value);
            LogProfileInUse(version.ModelName, version.Version, profile.Source);
        }
    }

    private void Enqueue(VersionStatistics version, StatisticsSnapshot snapshot, MonitoringOptions settings)
    {
        var statistics = snapshot.Statistics;
        var (sample, predictions) = version.HasProfile ? ([], []) : version.TakeProfileSample(settings.ProfileSampleRowsPerSnapshot);
        if (statistics.RequestCount == 0 && statistics.Shadows.Count == 0 && sample.Length == 0)
        {
            return; // Nothing happened: no message (sequence numbers may skip; the grain does not mind).
        }

        var message = MonitoringMapper.ToMessage(snapshot) with
        {
            SampleRows = sample.Length == 0 ? null : sample,
            SamplePredictions = sample.Length == 0 || predictions.All(float.IsNaN) ? null : predictions,
            FeatureNames = version.FeatureNames,
        };
        version.Pending.Enqueue(message);
        monitoring.CountQueued();
        while (version.Pending.Count > settings.MaxPendingSnapshots)
        {
            version.Pending.Dequeue();
            monitoring.CountDropped();
        }
    }

    private async Task DeliverAsync(VersionStatistics version, CancellationToken cancellationToken)
    {
        while (version.Pending.TryPeek(out var message))
        {
            await sink.ReportAsync(version.ModelName, version.Version, message, cancellationToken);
            version.Pending.Dequeue();
            monitoring.CountDelivered();
            if (_sinkDown)
            {
                LogDeliveryResumed();
                _sinkDown = false;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot deliver statistics of {Model} version {Version}; keeping them to resend")]
    private partial void LogDeliveryFailed(Exception exception, string model, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitoring {Model} version {Version} against its reference profile ({Source})")]
    private partial void LogProfileInUse(string model, string version, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Statistics delivery resumed")]
    private partial void LogDeliveryResumed();
}
