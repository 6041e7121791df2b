using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Protocol.Grpc;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// Tells the control plane how this replica holds each version it was asked to serve: one report per model to that
/// model's <see cref="IModelLoadStatusGrain"/>, at every change and at least every
/// <see cref="ReplicaLoadReports.Interval"/> (so the grain knows the replica is alive), and an empty one for a model
/// it no longer serves. On shutdown it withdraws its reports (for at most
/// <see cref="MonitoringOptions.LoadReportWithdrawalTimeout"/>), so operators do not count a replica that left. Each
/// report carries the replica's <see cref="AdvertisedGrpcAddress"/>, which clients list to call replicas directly.
/// </summary>
public sealed partial class LoadStatusPublisher(
    IGrainFactory grains,
    VersionLoadStates loads,
    ReplicaMonitoring replica,
    AdvertisedGrpcAddress address,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    ILogger<LoadStatusPublisher> logger) : BackgroundService
{
    /// <summary>How soon a report that could not be delivered is tried again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private HashSet<string> _reported = new(StringComparer.Ordinal);
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (address.Url is { } url)
        {
            LogAdvertising(url);
        }
        else
        {
            LogNoAddress(AdvertisedGrpcAddress.ConfigurationKey);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the snapshot, so a change made while reporting is reported next.
            var changed = loads.WaitForChangeAsync(stoppingToken);
            var delivered = await PublishAsync(loads.Snapshot(), stoppingToken);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var due = Task.Delay(delivered ? ReplicaLoadReports.Interval : RetryDelay, time, waiting.Token);
            await Task.WhenAny(changed, due);
            await waiting.CancelAsync();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var bound = new CancellationTokenSource(options.Value.LoadReportWithdrawalTimeout, time);
        using var withdrawing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        await PublishAsync([], withdrawing.Token);
    }

    private async Task<bool> PublishAsync(IReadOnlyList<VersionLoad> snapshot, CancellationToken cancellationToken)
    {
        var byModel = snapshot.GroupBy(load => load.Model, StringComparer.Ordinal).ToDictionary(group => group.Key, StringComparer.Ordinal);
        try
        {
            foreach (var model in byModel.Keys.Union(_reported, StringComparer.Ordinal).ToList())
            {
                IReadOnlyList<VersionLoadStatus> versions = byModel.TryGetValue(model, out var group) ? [.. group.Select(load => load.ToStatus())] : [];
                await grains.GetGrain<IModelLoadStatusGrain>(model)
                    .ReportAsync(new ReplicaLoadReport(replica.ReplicaId, versions, address.Url))
                    .WaitAsync(cancellationToken);
                if (versions.Count == 0)
                {
                    _reported.Remove(model);
                }
            }

            _reported = [.. byModel.Keys];
            if (_failing)
            {
                LogDeliveredAgain();
                _failing = false;
            }

            return true;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested || exception is not OperationCanceledException)
        {
            if (!_failing)
            {
                LogDeliveryFailed(exception);
                _failing = true;
            }

            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Clients may call this replica's gRPC service directly at {Address}")]
    private partial void LogAdvertising(string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "This replica reports no gRPC address of its own (its grpc endpoint has no fixed port); set {Setting} to let clients call it directly")]
    private partial void LogNoAddress(string setting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report this replica's model load states to the control plane; retrying")]
    private partial void LogDeliveryFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model load states reported to the control plane again")]
    private partial void LogDeliveredAgain();
}
