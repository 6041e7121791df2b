using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Retraining;

namespace MlopsAspire.TrainingWorker;

/// <summary>
/// Asks each registered model's retraining grain for a queued run every poll interval and carries out one run at a
/// time (training uses every core it gets). Several workers may run: a grain hands each run to one of them.
/// </summary>
public sealed partial class RetrainingWorker(
    IClusterClient cluster,
    RetrainingRunner runner,
    IOptions<TrainingWorkerOptions> options,
    ILogger<RetrainingWorker> logger) : BackgroundService
{
    private readonly string _workerId = $"{Environment.MachineName}-{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                await ClaimAndRunAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The cluster or store is unreachable for a moment: look again at the next tick.
                LogPollFailed(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ClaimAndRunAsync(CancellationToken cancellationToken)
    {
        foreach (var (retraining, run) in await ClaimAsync())
        {
            await runner.RunAsync(retraining, run, cancellationToken);
        }
    }

    /// <summary>
    /// Asks every model for a queued run. These polls start no trace of their own (see the service defaults'
    /// PollingCallSampler); a claimed run is traced from its own root span.
    /// </summary>
    private async Task<List<(IModelRetrainingGrain Grain, RetrainingRun Run)>> ClaimAsync()
    {
        var claimed = new List<(IModelRetrainingGrain, RetrainingRun)>();
        var models = await cluster.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey).ListModelsAsync();
        foreach (var model in models)
        {
            var retraining = cluster.GetGrain<IModelRetrainingGrain>(model);
            if (await retraining.Claim(_workerId) is { } run)
            {
                claimed.Add((retraining, run));
            }
        }

        return claimed;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for retraining runs failed; trying again")]
    private partial void LogPollFailed(Exception exception);
}
