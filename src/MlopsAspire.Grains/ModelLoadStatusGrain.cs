using Microsoft.Extensions.Logging;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Grains;

/// <summary>
/// Collects the replicas' load reports of one model (in memory: the next round of reports rebuilds them) and, when
/// the model's promotion policy has auto-rollback on, takes a version that fails on every replica out of traffic
/// through the model grain: production rolls back, a canary is retired. Promotion itself asks this grain (see
/// <see cref="ModelGrain"/>) and refuses a version no replica could load.
/// </summary>
public sealed partial class ModelLoadStatusGrain(TimeProvider time, ILogger<ModelLoadStatusGrain> logger) : Grain, IModelLoadStatusGrain
{
    public const string Actor = "load-monitor";

    private readonly Dictionary<string, (DateTimeOffset ReportedAt, IReadOnlyList<VersionLoadStatus> Versions, string? GrpcAddress)> _reports = new(StringComparer.Ordinal);

    private string ModelName => this.GetPrimaryKeyString();

    public async Task ReportAsync(ReplicaLoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(report.ReplicaId);
        if (report.Versions.Count == 0)
        {
            _reports.Remove(report.ReplicaId);
        }
        else
        {
            _reports[report.ReplicaId] = (time.GetUtcNow(), [.. report.Versions], report.GrpcAddress);
        }

        var failing = Summaries().Where(summary => summary.FailsEverywhere).ToList();
        if (failing.Count > 0)
        {
            await RevertAsync(failing);
        }
    }

    public Task<IReadOnlyList<VersionLoadSummary>> GetAsync() => Task.FromResult(Summaries());

    private IReadOnlyList<VersionLoadSummary> Summaries()
    {
        var now = time.GetUtcNow();
        foreach (var gone in _reports.Where(report => now - report.Value.ReportedAt > ReplicaLoadReports.Lifetime).Select(report => report.Key).ToList())
        {
            _reports.Remove(gone);
        }

        return ReplicaLoadReports.Summarize(_reports, now);
    }

    /// <summary>Only with auto-rollback on: the same switch that lets the gates roll back a version that serves badly.</summary>
    private async Task RevertAsync(IReadOnlyList<VersionLoadSummary> failing)
    {
        var policy = await GrainFactory.GetGrain<IModelGovernorGrain>(ModelName).GetPolicy();
        if (!policy.AutoRollback)
        {
            return;
        }

        var modelGrain = GrainFactory.GetGrain<IModelGrain>(ModelName);
        foreach (var summary in failing)
        {
            var reason = $"version {summary.Version} could not be loaded: {summary.Describe()}";
            try
            {
                var model = await modelGrain.GetAsync();
                if (model.ProductionVersion == summary.Version)
                {
                    await modelGrain.RollbackAsync(new ChangeContext(Actor, reason, model.Revision));
                    LogReverted(ModelName, summary.Version, "rolled back", reason);
                }
                else if (model.Canary?.Version == summary.Version)
                {
                    await modelGrain.RetireAsync(summary.Version, new ChangeContext(Actor, reason, model.Revision));
                    LogReverted(ModelName, summary.Version, "retired from canary", reason);
                }
            }
            catch (Exception exception) when (exception is LifecycleViolationException or ConcurrencyConflictException or ModelNotFoundException)
            {
                // No earlier version to return to, or someone changed the model meanwhile: the next report judges again.
                LogNotReverted(exception, ModelName, summary.Version);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} version {Version} {Action}: {Reason}")]
    private partial void LogReverted(string model, string version, string action, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} version {Version} fails to load on every replica but was not taken out of traffic")]
    private partial void LogNotReverted(Exception exception, string model, string version);
}
