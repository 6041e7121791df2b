using Microsoft.Extensions.Logging;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Monitoring.Gates;
using MlopsAspire.Monitoring.Mapping;

namespace MlopsAspire.Grains.Monitoring;

/// <summary>
/// Promotion gates of one model. Reads the model's aliases from its model grain and the evidence from the
/// monitoring grains of each version, judges with <see cref="GateEvaluator"/>, and (when the policy enables it)
/// acts through the model grain: promote a passing shadow or canary, retire a failing canary, roll back a
/// production version that does worse than the one it replaced.
/// </summary>
/// <remarks>
/// While the policy automates, a timer judges every few seconds, and a reminder (durable, in the store) brings the
/// grain back within a minute whenever it was collected or its silo restarted: a timer alone dies with its
/// activation, and nothing else calls a governor but management requests. The reminder is the one durable piece;
/// monitoring traffic cannot stand in for it, since a gate can come due with no traffic at all (a minimum
/// duration passing).
/// </remarks>
public sealed partial class ModelGovernorGrain(
    [PersistentState("governor", GrainStorageNames.Models)] IPersistentState<ModelGovernorState> state,
    IGrainFactory grains,
    TimeProvider time,
    ILogger<ModelGovernorGrain> logger) : Grain, IModelGovernorGrain, IRemindable
{
    public const string Actor = "promotion-gate";

    /// <summary>The reminder that keeps automation running while the policy asks for it.</summary>
    public const string AutomationReminder = "promotion-automation";

    private static readonly TimeSpan EvaluationPeriod = TimeSpan.FromSeconds(5);

    /// <summary>Reminders are durable but coarse (Orleans' minimum period is a minute): they revive, the timer judges.</summary>
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    private IGrainTimer? _timer;

    private string ModelName => this.GetPrimaryKeyString();

    private PromotionPolicyData Policy => state.State.Policy ?? MonitoringMapper.ToMessage(PromotionPolicy.Default);

    private bool Automates => Policy.AutoPromote || Policy.AutoRollback;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!Automates)
        {
            return;
        }

        StartTimer();
        try
        {
            // A policy stored before automation had a reminder gets one the first time anything activates it.
            if (await this.GetReminder(AutomationReminder, cancellationToken) is null)
            {
                await this.RegisterOrUpdateReminder(AutomationReminder, ReminderPeriod, ReminderPeriod, cancellationToken);
            }
        }
        catch (Exception exception)
        {
            LogReminderUnavailable(exception, ModelName);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != AutomationReminder)
        {
            return;
        }

        if (!Automates)
        {
            await StopAutomationAsync();
            return;
        }

        await EvaluateQuietlyAsync();
    }

    public async Task SetPolicy(PromotionPolicyData policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        MonitoringMapper.ToPolicy(policy).Validate();

        state.State.Policy = policy;
        await state.WriteStateAsync();
        if (Automates)
        {
            StartTimer();
            await this.RegisterOrUpdateReminder(AutomationReminder, ReminderPeriod, ReminderPeriod);
        }
        else
        {
            await StopAutomationAsync();
        }
    }

    public Task<PromotionPolicyData> GetPolicy() => Task.FromResult(Policy);

    public Task<IReadOnlyList<GateReport>> Evaluate(bool act) => EvaluateAsync(act);

    public async Task<GateReport> CheckPromotion(string version)
    {
        var model = await grains.GetGrain<IModelGrain>(ModelName).GetAsync();
        if (model.ProductionVersion is null || model.ProductionVersion == version)
        {
            return new GateReport(ModelName, version, "candidate", model.ProductionVersion, true, true, "no production version to compare with", [], null, time.GetUtcNow());
        }

        return await JudgeAsync(version, "candidate", model.ProductionVersion);
    }

    private void StartTimer() => _timer ??= this.RegisterGrainTimer(
        async _ =>
        {
            if (Automates)
            {
                await EvaluateQuietlyAsync();
            }
        },
        new GrainTimerCreationOptions(EvaluationPeriod, EvaluationPeriod) { Interleave = false });

    private async Task StopAutomationAsync()
    {
        _timer?.Dispose();
        _timer = null;
        try
        {
            if (await this.GetReminder(AutomationReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
        catch (Exception exception)
        {
            // A reminder left behind only wakes the grain to find nothing to automate, and is removed then.
            LogReminderNotRemoved(exception, ModelName);
        }
    }

    /// <summary>An automatic evaluation: a failure (a monitor or the model unreachable for a moment) waits for the next tick.</summary>
    private async Task EvaluateQuietlyAsync()
    {
        try
        {
            await EvaluateAsync(act: true);
        }
        catch (Exception exception)
        {
            LogEvaluationFailed(exception, ModelName);
        }
    }

    private async Task<IReadOnlyList<GateReport>> EvaluateAsync(bool act)
    {
        var modelGrain = grains.GetGrain<IModelGrain>(ModelName);
        if (!await modelGrain.ExistsAsync())
        {
            return [];
        }

        var model = await modelGrain.GetAsync();
        var reports = new List<GateReport>();
        if (model.ProductionVersion is { } production)
        {
            foreach (var shadow in model.Shadows ?? [])
            {
                reports.Add(await JudgeAsync(shadow.Version, "shadow", production));
            }

            if (model.Canary is { } canary)
            {
                reports.Add(await JudgeAsync(canary.Version, "canary", production));
            }

            // The history lists earlier production versions, most recent last: the one a rollback returns to.
            if (model.ProductionHistory is { Count: > 0 } history && history[^1] != production)
            {
                reports.Add(await JudgeAsync(production, "production", history[^1]));
            }
        }

        if (act)
        {
            for (var i = 0; i < reports.Count; i++)
            {
                reports[i] = await ActAsync(modelGrain, model, reports[i]);
            }
        }

        state.State.LastReports = reports;
        return reports;
    }

    private async Task<GateReport> JudgeAsync(string version, string role, string baselineVersion)
    {
        var policy = Policy;
        var span = policy.EvaluationSpan;
        var candidate = await grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(ModelName, version)).GetSummary(span);
        var now = time.GetUtcNow();
        // A shadow or canary is compared with production over the same windows, so production's accuracy before the
        // candidate existed (say, before concept drift) does not count against it.
        var baselineSpan = role == "production"
            ? span * 24
            : candidate.FirstWindow is { } candidateStart && now - candidateStart < span ? now - candidateStart : span;
        var baseline = await grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(ModelName, baselineVersion)).GetSummary(baselineSpan);

        // Shadow comparisons are recorded with the production version's statistics, keyed by shadow version.
        double? agreement = null, delta = null;
        if (baseline.Shadows.TryGetValue(version, out var comparison) && comparison.Compared > 0)
        {
            agreement = comparison.Agreement;
            delta = comparison.MeanAbsoluteDifference;
        }

        var observed = candidate.FirstWindow is { } first ? now - first : TimeSpan.Zero;
        var result = GateEvaluator.Evaluate(
            MonitoringMapper.ToPolicy(policy),
            new VersionEvidence(version, candidate.RowCount, observed, candidate.ErrorRate, candidate.P99Milliseconds, candidate.LabelledRows, candidate.Accuracy, agreement, delta),
            new VersionEvidence(baselineVersion, baseline.RowCount, TimeSpan.MaxValue, baseline.ErrorRate, baseline.P99Milliseconds, baseline.LabelledRows, baseline.Accuracy));
        return new GateReport(
            ModelName, version, role, baselineVersion, result.Decided, result.Passed, result.Summary,
            [.. result.Checks.Select(MonitoringMapper.ToMessage)], null, now);
    }

    private async Task<GateReport> ActAsync(IModelGrain modelGrain, ModelInfo model, GateReport report)
    {
        var policy = Policy;
        if (!report.Decided)
        {
            return report;
        }

        try
        {
            var change = new ChangeContext(Actor, $"gate {(report.Passed ? "passed" : "failed")} against {report.BaselineVersion}: {report.Summary}", model.Revision);
            switch (report.Role)
            {
                case "shadow" or "canary" when report.Passed && policy.AutoPromote:
                    await modelGrain.PromoteAsync(report.Version, change);
                    return Acted(report, "promoted");
                case "canary" when !report.Passed && policy.AutoRollback:
                    await modelGrain.RetireAsync(report.Version, change);
                    return Acted(report, "canary retired");
                case "production" when !report.Passed && policy.AutoRollback:
                    await modelGrain.RollbackAsync(change);
                    return Acted(report, $"rolled back to {report.BaselineVersion}");
                default:
                    return report;
            }
        }
        catch (Exception exception) when (exception is LifecycleViolationException or ConcurrencyConflictException or InvalidOperationException or ArgumentException)
        {
            // Someone changed the model meanwhile (stale revision) or the lifecycle forbids it: judge again next tick.
            LogActionNotApplied(exception, ModelName, report.Version);
            return report with { ActionTaken = $"not applied: {exception.Message}" };
        }
    }

    private GateReport Acted(GateReport report, string action)
    {
        LogActed(ModelName, report.Version, report.Role, action, report.Summary);
        return report with { ActionTaken = action };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gate action on {Model} version {Version} not applied")]
    private partial void LogActionNotApplied(Exception exception, string model, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Promotion gate on {Model}: version {Version} ({Role}) {Action}: {Summary}")]
    private partial void LogActed(string model, string version, string role, string action, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Automatic promotion gates of {Model} could not be judged; trying again on the next tick")]
    private partial void LogEvaluationFailed(Exception exception, string model);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The promotion automation reminder of {Model} could not be removed; it is removed when it next fires")]
    private partial void LogReminderNotRemoved(Exception exception, string model);

    [LoggerMessage(Level = LogLevel.Error, Message = "Promotion automation of {Model} has no reminder: it runs only while the grain stays active (is the silo's reminder service configured?)")]
    private partial void LogReminderUnavailable(Exception exception, string model);
}
