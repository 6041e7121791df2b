using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.Grains.Contracts;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Alerts;
using MlopsAspire.Monitoring.Drift;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;
using StatisticsProfile = MlopsAspire.Monitoring.Profiles.ReferenceProfile;

namespace MlopsAspire.Grains.Monitoring;

/// <summary>
/// Monitoring of one model version. Replicas report a snapshot about once a second; the grain merges them into
/// rolling windows (deduplicated by replica and sequence), judges each window once it has closed and its grace
/// period for late snapshots has passed, and raises or clears alerts as the monitoring library's
/// <see cref="AlertEvaluator"/> decides. What it monitors (feature names, where predictions come from, the task's
/// live metrics, declared ranges) follows the version's <see cref="MonitoringPlan"/>. Merged snapshots are written
/// at most <see cref="PersistInterval"/> after they arrived, so a silo crash loses at most that much; feedback, a
/// profile and a policy are written before the caller hears back. When the silo's host starts stopping, the monitor
/// writes what it holds first, before the silo's own shutdown steps (leaving the cluster, deactivating every grain)
/// use up the seconds an orchestrator allows before it kills the process.
/// </summary>
public sealed partial class ModelMonitorGrain(
    [PersistentState("monitor", GrainStorageNames.Models)] IPersistentState<ModelMonitorState> state,
    TimeProvider time,
    IGrainFactory grains,
    IHostApplicationLifetime host,
    IOptions<MonitoringDefaultsOptions> defaults,
    ILogger<ModelMonitorGrain> logger) : Grain, IModelMonitorGrain
{
    /// <summary>Who monitoring events are attributed to in a model's audit trail.</summary>
    public const string Actor = "monitoring";

    /// <summary>Rows collected from production to build a reference profile when none was supplied.</summary>
    public const int ProfileSampleRows = 2000;

    private const int KeptReports = 1440;
    private const int KeptAlerts = 500;
    private const int PersistedShortWindows = 60;

    /// <summary>How long merged snapshots may wait to be written: writes stay few while replicas report every second.</summary>
    public static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(5);

    private readonly Lazy<MonitoringPolicy> _defaultPolicy = new(defaults.Value.ToPolicy);
    private readonly List<MonitoringAlert> _unaudited = [];
    private string _modelName = string.Empty;
    private string _version = string.Empty;
    private MonitoringPlan? _plan;
    private bool _planLoaded;
    private StatisticsProfile? _profile;
    private RollingWindows _windows = null!;
    private DriftEvaluator? _evaluator;
    private bool _dirty;
    private DateTimeOffset _lastPersisted;
    private IGrainTimer _writeBehind = null!;
    private CancellationTokenRegistration _onHostStopping;

    private MonitoringPolicy Policy => state.State.Policy ?? _defaultPolicy.Value;

    private AlertEvaluator Alerts => new(Policy.ToAlertThresholds());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_modelName, _version) = ModelVersionKey.Parse(this.GetPrimaryKeyString());
        Rebuild();
        var period = TimeSpan.FromTicks(Math.Clamp(Policy.Window.Ticks / 2, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromSeconds(10).Ticks));
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(period, period) { Interleave = false });
        // Armed when a change waits for its write (see PersistIfDueAsync); idle otherwise.
        _writeBehind = this.RegisterGrainTimer(WriteBehindAsync, new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = false });
        var self = this.AsReference<IModelMonitorGrain>();
        _onHostStopping = host.ApplicationStopping.Register(() => WriteBeforeTheSiloStops(self));
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _onHostStopping.DisposeAsync();
        await PersistIfChangedAsync();
    }

    public async Task Persist()
    {
        await AuditAlertsAsync();
        await PersistIfChangedAsync();
    }

    /// <summary>
    /// Runs on the host's thread as it starts stopping, outside the grain: queues a write through the grain's own
    /// reference and does not wait for it, so the host goes on stopping the silo, whose deactivation of this grain
    /// waits for the write.
    /// </summary>
    private void WriteBeforeTheSiloStops(IModelMonitorGrain self)
    {
        var modelName = _modelName;
        var version = _version;
        self.Persist().ContinueWith(
            write => LogWriteAtStopFailed(write.Exception!, modelName, version),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
    }

    public async Task<bool> Report(MonitoringSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (string.IsNullOrEmpty(snapshot.ReplicaId) || snapshot.IntervalEnd < snapshot.IntervalStart)
        {
            throw new ArgumentException("a snapshot needs a replica id and an interval that does not end before it starts");
        }

        var accepted = _windows.Add(new StatisticsSnapshot(
            snapshot.ReplicaId,
            snapshot.Sequence,
            snapshot.IntervalStart,
            snapshot.IntervalEnd,
            MonitoringMapper.ToStatistics(snapshot, _profile)));
        if (!accepted)
        {
            return false;
        }

        _dirty = true;
        if (_profile is null && snapshot.SampleRows is { Length: > 0 })
        {
            await CollectProfileSampleAsync(snapshot);
        }

        await JudgeClosedWindowsAsync();
        await PersistIfDueAsync();
        return true;
    }

    public async Task<bool> RecordOutcomes(string batchId, ModelTask task, IReadOnlyList<LabelledOutcome> outcomes)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        ArgumentNullException.ThrowIfNull(outcomes);
        if (task is not (ModelTask.BinaryClassification or ModelTask.MulticlassClassification or ModelTask.Regression))
        {
            throw new ArgumentException($"outcomes are recorded for classification and regression models, not {task}", nameof(task));
        }

        var accepted = false;
        var window = Policy.Window;
        var sequence = 0L;
        foreach (var group in outcomes.GroupBy(outcome => RollingWindows.WindowStart(outcome.PredictedAt, window)).OrderBy(group => group.Key))
        {
            var statistics = new PredictionStatistics(_profile);
            foreach (var outcome in group)
            {
                Record(statistics.Outcomes, task, outcome);
            }

            // One pseudo-replica per batch: a retried batch repeats its ids and sequences and is refused.
            accepted |= _windows.Add(new StatisticsSnapshot($"feedback:{batchId}", sequence++, group.Key, group.Key + window, statistics));
        }

        if (accepted)
        {
            state.State.OutcomeTask = task;
            _dirty = true;
            // Written before the caller hears "joined": a feedback batch is acknowledged ground truth that nothing
            // replays, unlike the replicas' snapshots, so it must not wait for the next throttled write and be lost
            // with the silo (a stop the orchestrator ends with a kill, or a crash). Batches are few next to snapshots.
            await AuditAlertsAsync();
            await PersistAsync();
        }

        return accepted;
    }

    public async Task SetReferenceProfile(ReferenceProfileData profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Features.Count == 0 && profile.Predictions.Count == 0)
        {
            throw new ArgumentException("a reference profile needs at least one feature or prediction");
        }

        var plan = await PlanAsync();
        var withRanges = plan is null ? profile : MonitoringMapper.ToMessage(MonitoringMapper.ToProfile(profile).WithExpectedRanges(plan.FeatureRanges), profile.Source);
        UseProfile(withRanges);
        await PersistAsync();
    }

    public Task<ReferenceProfileData?> GetReferenceProfile() => Task.FromResult(state.State.Profile);

    public async Task SetPolicy(MonitoringPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        var windowChanged = policy.Window != Policy.Window;
        state.State.Policy = policy;
        if (windowChanged)
        {
            state.State.ShortWindows.Clear();
            state.State.LastJudgedWindow = null;
        }

        Rebuild(keepWindows: !windowChanged);
        await PersistAsync();
    }

    public Task<MonitoringPolicy> GetPolicy() => Task.FromResult(Policy);

    public Task<MonitoringSummary> GetSummary(TimeSpan span)
    {
        var since = RollingWindows.WindowStart(time.GetUtcNow() - span, Policy.Window);
        var merged = _windows.Since(since);
        var batches = merged.BatchSizes;
        double executions = batches.Sum(), rows = 0;
        for (var bucket = 0; bucket < batches.Length; bucket++)
        {
            // A bucket's representative size: 1, 2, 4, 8, … (upper bound of the bucket).
            rows += batches[bucket] * Math.Pow(2, bucket);
        }

        var outcomes = merged.Outcomes;
        return Task.FromResult(new MonitoringSummary(
            _modelName,
            _version,
            since,
            merged.RequestCount,
            merged.RowCount,
            merged.ErrorRate,
            new Dictionary<string, long>(merged.ErrorsByStatus, StringComparer.Ordinal),
            merged.TotalLatency.Percentile(0.5) / 1000,
            merged.TotalLatency.Percentile(0.9) / 1000,
            merged.TotalLatency.Percentile(0.99) / 1000,
            executions == 0 ? double.NaN : rows / executions,
            merged.NonFiniteInputs,
            merged.OutOfRangeInputs,
            merged.Shadows.ToDictionary(pair => pair.Key, pair => MonitoringMapper.ToMessage(pair.Value), StringComparer.Ordinal),
            state.State.Reports.LastOrDefault(),
            [.. state.State.ActiveAlerts.Values],
            state.State.Profile is not null,
            outcomes.Count,
            outcomes.Accuracy,
            outcomes.Auc,
            outcomes.LogLoss,
            _windows.ShortWindows.Keys.Cast<DateTimeOffset?>().FirstOrDefault(),
            outcomes.MacroF1,
            outcomes.MeanAbsoluteError,
            outcomes.RootMeanSquaredError,
            state.State.AccuracyReference,
            _profile is null ? [] : [.. PredictionDistribution.Of(_profile, merged).Select(MonitoringMapper.ToMessage)]));
    }

    public Task<IReadOnlyList<WindowReport>> GetWindowReports(int count) =>
        Task.FromResult<IReadOnlyList<WindowReport>>([.. state.State.Reports.TakeLast(Math.Max(0, count))]);

    public Task<IReadOnlyList<MonitoringAlert>> GetAlerts(int count) =>
        Task.FromResult<IReadOnlyList<MonitoringAlert>>([.. state.State.Alerts.TakeLast(Math.Max(0, count))]);

    public async Task EvaluateClosedWindows()
    {
        await JudgeClosedWindowsAsync();
        JudgeOutcomes();
        await PersistIfDueAsync();
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        await JudgeClosedWindowsAsync();
        JudgeOutcomes();
        await PersistIfDueAsync();
    }

    private static void Record(OutcomeStatistics outcomes, ModelTask task, LabelledOutcome outcome)
    {
        switch (task)
        {
            case ModelTask.BinaryClassification:
                outcomes.Record(outcome.Prediction, outcome.Label >= 0.5f);
                break;
            case ModelTask.MulticlassClassification when float.IsFinite(outcome.Prediction) && float.IsFinite(outcome.Label):
                outcomes.RecordClass((int)MathF.Round(outcome.Prediction), (int)MathF.Round(outcome.Label));
                break;
            case ModelTask.Regression:
                outcomes.RecordValue(outcome.Prediction, outcome.Label);
                break;
        }
    }

    /// <summary>
    /// Concept drift shows only in ground truth: once the version's first labelled rows have set its reference
    /// metrics, the recent windows' metrics are compared with them by the task's measure. Labels arrive late, so this
    /// runs on every tick.
    /// </summary>
    private void JudgeOutcomes()
    {
        var policy = Policy;
        var task = state.State.OutcomeTask ?? ModelTask.BinaryClassification;
        var windows = _windows.ShortWindows.OrderBy(pair => pair.Key).ToList();
        var needed = policy.LabelledRowsToJudge;
        if (state.State.AccuracyReference is not { } reference)
        {
            var early = new OutcomeStatistics();
            foreach (var (start, window) in windows)
            {
                early.Merge(window.Outcomes);
                if (early.Count >= needed)
                {
                    var metrics = OutcomeMetrics.Of(early);
                    state.State.AccuracyReference = MonitoringMapper.ToMessage(metrics, start);
                    _dirty = true;
                    // Described once: a version sets its reference once in its life.
                    var described = metrics.Describe(task);
                    LogReference(_modelName, _version, described, early.Count);

                    break;
                }
            }

            if (state.State.AccuracyReference is not { } captured)
            {
                return;
            }

            reference = captured;
        }

        var recent = new OutcomeStatistics();
        var from = DateTimeOffset.MaxValue;
        foreach (var (start, window) in windows.Where(pair => pair.Key > reference.LastWindow).TakeLast(policy.RecentAccuracyWindows))
        {
            recent.Merge(window.Outcomes);
            from = start < from ? start : from;
        }

        if (recent.Count < needed)
        {
            return;
        }

        var recentMetrics = OutcomeMetrics.Of(recent);
        MonitoringInstruments.PublishOutcomes(_modelName, _version, recentMetrics);
        var key = AlertDecision.KeyOf(AlertKind.Accuracy, AlertEvaluator.OutcomesSubject);
        if (Alerts.JudgeOutcomes(task, MonitoringMapper.ToMetrics(reference), recentMetrics, from, state.State.ActiveAlerts.ContainsKey(key)) is { } decision)
        {
            Apply(decision, time.GetUtcNow());
        }
    }

    private async Task JudgeClosedWindowsAsync()
    {
        var now = time.GetUtcNow();
        var policy = Policy;
        var closed = _windows.ShortWindows
            .Where(pair => (state.State.LastJudgedWindow is null || pair.Key > state.State.LastJudgedWindow) && pair.Key + policy.Window + policy.Grace <= now)
            .OrderBy(pair => pair.Key)
            .ToList();
        if (closed.Count == 0)
        {
            return;
        }

        var plan = await PlanAsync();
        foreach (var (start, window) in closed)
        {
            var (report, drift) = Judge(start, window, policy);
            state.State.Reports.Add(report);
            if (state.State.Reports.Count > KeptReports)
            {
                state.State.Reports.RemoveRange(0, state.State.Reports.Count - KeptReports);
            }

            state.State.LastJudgedWindow = start;
            if (!report.IsInsufficient)
            {
                var featureCount = state.State.Profile?.Features.Count ?? 0;
                var quality = new WindowQuality(
                    report.RowCount,
                    report.RowCount * featureCount,
                    report.NonFiniteInputs,
                    report.OutOfRangeInputs,
                    OutOfRangeChecked: featureCount > 0 && plan?.FeatureRanges.Any(range => range is not null) == true);
                foreach (var decision in Alerts.JudgeWindow(start, drift, quality, state.State.ActiveAlerts.Keys.ToHashSet(StringComparer.Ordinal)))
                {
                    Apply(decision, now);
                }
            }

            MonitoringInstruments.Publish(_modelName, _version, report, state.State.ActiveAlerts.Count);
            _dirty = true;
        }

        if (_evaluator is not null)
        {
            state.State.ConsecutiveWarnings = new Dictionary<string, int>(_evaluator.ConsecutiveWarnings);
        }
    }

    /// <summary>
    /// The report of one closed window. A window with fewer rows than the policy's minimum is insufficient data: it
    /// gets no drift metrics and changes no alert, so an idle version never shows drift computed from nothing.
    /// </summary>
    private (WindowReport Report, DriftReport? Drift) Judge(DateTimeOffset start, PredictionStatistics window, MonitoringPolicy policy)
    {
        var insufficient = window.RowCount < policy.MinimumRows;
        var drift = insufficient ? null : _evaluator?.Evaluate(start, window);
        var outcomes = window.Outcomes;
        var report = new WindowReport(
            start,
            window.RequestCount,
            window.RowCount,
            window.ErrorRate,
            window.TotalLatency.Percentile(0.5) / 1000,
            window.TotalLatency.Percentile(0.99) / 1000,
            window.NonFiniteInputs,
            window.OutOfRangeInputs,
            [.. drift?.Features.Select(ToData) ?? []],
            [.. drift?.Predictions.Select(ToData) ?? []],
            window.Shadows.ToDictionary(pair => pair.Key, pair => MonitoringMapper.ToMessage(pair.Value), StringComparer.Ordinal),
            insufficient ? WindowReport.InsufficientData : (drift?.Severity ?? DriftSeverity.None).ToString(),
            outcomes.Count,
            outcomes.Accuracy,
            outcomes.Auc,
            outcomes.LogLoss,
            outcomes.MacroF1,
            outcomes.MeanAbsoluteError,
            outcomes.RootMeanSquaredError);
        return (report, drift);
    }

    private void Apply(AlertDecision decision, DateTimeOffset now)
    {
        var alert = new MonitoringAlert(now, _modelName, _version, decision.Kind, decision.Subject, decision.Raise, decision.Detail);
        var kind = decision.Kind.Name();
        if (decision.Raise)
        {
            state.State.ActiveAlerts[decision.Key] = alert;
            MonitoringInstruments.RecordAlert(_modelName, _version, decision.Kind, decision.Subject);
            LogRaised(_modelName, _version, kind, decision.Subject, decision.Detail);
        }
        else
        {
            state.State.ActiveAlerts.Remove(decision.Key);
            LogCleared(_modelName, _version, kind, decision.Subject);
        }

        _unaudited.Add(alert);
        state.State.Alerts.Add(alert);
        if (state.State.Alerts.Count > KeptAlerts)
        {
            state.State.Alerts.RemoveRange(0, state.State.Alerts.Count - KeptAlerts);
        }

        _dirty = true;
    }

    /// <summary>
    /// Collects production rows (and their predictions) until there are enough to build the reference profile the
    /// version was registered without: features named as the contract names them, the prediction profiled as the
    /// task reads it (class frequencies for a multiclass model), declared ranges as what is valid.
    /// </summary>
    private async Task CollectProfileSampleAsync(MonitoringSnapshot snapshot)
    {
        var sample = state.State.ProfileSample;
        var predictions = state.State.ProfilePredictions;
        var width = snapshot.SampleRows![0].Length;
        var withPredictions = snapshot.SamplePredictions is { } sampled && sampled.Length == snapshot.SampleRows.Length;
        for (var row = 0; row < snapshot.SampleRows.Length && sample.Count < ProfileSampleRows; row++)
        {
            if (snapshot.SampleRows[row].Length == width && (sample.Count == 0 || sample[0].Length == width))
            {
                sample.Add(snapshot.SampleRows[row]);
                predictions.Add(withPredictions ? snapshot.SamplePredictions![row] : float.NaN);
            }
        }

        var plan = await PlanAsync();
        state.State.SampleFeatureNames ??= snapshot.FeatureNames?.Count == width
            ? [.. snapshot.FeatureNames]
            : [.. plan?.FeatureNamesFor(width) ?? Enumerable.Range(0, width).Select(i => $"input[{i}]")];
        if (sample.Count < ProfileSampleRows)
        {
            return;
        }

        var profile = StatisticsProfile.FromRows(state.State.SampleFeatureNames, sample);
        if (PredictionProfile(predictions, plan) is { } prediction)
        {
            profile = profile with { Predictions = [prediction] };
        }

        if (plan is not null)
        {
            profile = profile.WithExpectedRanges(plan.FeatureRanges);
        }

        // UseProfile clears the sample: count it first.
        var rows = sample.Count;
        UseProfile(MonitoringMapper.ToMessage(profile, $"first {rows} production rows"));
        LogProfileBuilt(_modelName, _version, rows, profile.Predictions.Count > 0);
    }

    /// <summary>The profile of the sampled predictions: class frequencies for a multiclass model, else their values.</summary>
    private static FeatureProfile? PredictionProfile(List<float> predictions, MonitoringPlan? plan)
    {
        var values = predictions.Where(float.IsFinite).Select(value => (double)value).ToList();
        if (values.Count < predictions.Count / 2 || values.Count == 0)
        {
            return null;
        }

        var name = plan?.PredictionName ?? "prediction";
        if (plan?.Task == ModelTask.MulticlassClassification)
        {
            var classes = Math.Max(plan.ClassCount ?? 0, (int)values.Max() + 1);
            return CategoricalProfile.FromValues(name, values, Math.Max(2, classes));
        }

        return FeatureProfile.FromValues(name, values);
    }

    /// <summary>
    /// Judges from now on against <paramref name="profile"/>. The windows keep their counts, latency and outcomes, so
    /// requests served before the profile existed stay in the statistics; their distributions were binned on no (or
    /// another) profile, so those are dropped rather than compared with this one.
    /// </summary>
    private void UseProfile(ReferenceProfileData profile)
    {
        StoreWindows();
        state.State.ShortWindows = [.. state.State.ShortWindows.Select(WithoutDistributions)];
        state.State.LongWindows = [.. state.State.LongWindows.Select(WithoutDistributions)];
        state.State.Profile = profile;
        state.State.ProfileSample.Clear();
        state.State.ProfilePredictions.Clear();
        state.State.ConsecutiveWarnings.Clear();
        Rebuild();
        _dirty = true;
    }

    private static MonitoringSnapshot WithoutDistributions(MonitoringSnapshot window) =>
        window with { FeatureCounts = [], PredictionCounts = [] };

    private async Task<MonitoringPlan?> PlanAsync()
    {
        if (!_planLoaded)
        {
            try
            {
                _plan = (await grains.GetGrain<IModelGrain>(_modelName).GetVersionAsync(_version)).MonitoringPlan();
            }
            catch (ModelNotFoundException)
            {
                // A monitor with no registered version (direct use): monitored by what its snapshots say.
                _plan = null;
            }

            _planLoaded = true;
        }

        return _plan;
    }

    private void Rebuild(bool keepWindows = true)
    {
        var policy = Policy;
        _profile = state.State.Profile is null ? null : MonitoringMapper.ToProfile(state.State.Profile);
        _evaluator = _profile is null
            ? null
            : new DriftEvaluator(_profile, policy.ToThresholds());
        _evaluator?.RestoreConsecutiveWarnings(state.State.ConsecutiveWarnings);
        _windows = new RollingWindows(_profile, policy.Window);
        foreach (var replica in state.State.Replicas)
        {
            _windows.Deduplicator.Restore(replica.ReplicaId, replica.Highest, replica.Seen, replica.LastInterval);
        }

        if (keepWindows)
        {
            foreach (var stored in state.State.ShortWindows)
            {
                _windows.Restore(stored.IntervalStart, MonitoringMapper.ToStatistics(stored, _profile), longWindow: false);
            }

            foreach (var stored in state.State.LongWindows)
            {
                _windows.Restore(stored.IntervalStart, MonitoringMapper.ToStatistics(stored, _profile), longWindow: true);
            }
        }
    }

    /// <summary>Alerts become events in the model's audit trail, and raised ones go to retraining (best effort: the alert itself is kept here).</summary>
    private async Task AuditAlertsAsync()
    {
        if (_unaudited.Count == 0)
        {
            return;
        }

        var alerts = _unaudited.ToArray();
        _unaudited.Clear();
        var model = grains.GetGrain<IModelGrain>(_modelName);
        foreach (var alert in alerts)
        {
            try
            {
                await model.RecordEventAsync(
                    _version,
                    alert.Raised ? $"alert:{alert.Kind.Name()}" : $"alert-cleared:{alert.Kind.Name()}",
                    $"{alert.Subject}: {alert.Detail}",
                    Actor);
            }
            catch (Exception exception)
            {
                LogAuditFailed(exception, alert.Kind.Name(), _modelName, _version);
            }

            if (alert.Raised)
            {
                try
                {
                    // Retraining decides from the version's contract and its policy whether this alert starts a run.
                    await grains.GetGrain<IModelRetrainingGrain>(_modelName).OnAlert(alert);
                }
                catch (Exception exception)
                {
                    LogRetrainingHandOffFailed(exception, alert.Kind.Name(), _modelName, _version);
                }
            }
        }
    }

    private async Task PersistIfDueAsync()
    {
        await AuditAlertsAsync();
        if (!_dirty)
        {
            return;
        }

        var waited = time.GetUtcNow() - _lastPersisted;
        if (waited >= PersistInterval)
        {
            await PersistAsync();
        }
        else
        {
            // Written when the interval is up, whether or not another snapshot or tick comes by then: traffic that
            // stops, or a tick minutes apart (long windows), must not leave the last snapshots unwritten.
            _writeBehind.Change(PersistInterval - waited, Timeout.InfiniteTimeSpan);
        }
    }

    private Task WriteBehindAsync(CancellationToken cancellationToken) => PersistIfChangedAsync();

    private async Task PersistIfChangedAsync()
    {
        if (_dirty)
        {
            await PersistAsync();
        }
    }

    private async Task PersistAsync()
    {
        StoreWindows();
        await state.WriteStateAsync();
        _dirty = false;
        _lastPersisted = time.GetUtcNow();
        _writeBehind.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Copies the merged windows and the deduplication state into the grain's state, ready to be written.</summary>
    private void StoreWindows()
    {
        var policy = Policy;
        state.State.ShortWindows = [.. _windows.ShortWindows
            .TakeLast(PersistedShortWindows)
            .Select(pair => MonitoringMapper.ToMessage(ModelMonitorState.StoredWindowReplica, 0, pair.Key, pair.Key + policy.Window, pair.Value))];
        state.State.LongWindows = [.. _windows.LongWindows
            .Select(pair => MonitoringMapper.ToMessage(ModelMonitorState.StoredWindowReplica, 0, pair.Key, pair.Key + _windows.LongWindow, pair.Value))];
        state.State.Replicas = [.. _windows.Deduplicator.Export().Select(replica => new ReplicaSequence(replica.ReplicaId, replica.Highest, replica.Seen, replica.LastInterval))];
    }

    private static FeatureDriftData ToData(FeatureDrift drift) => new(
        drift.Name,
        drift.Rows,
        drift.PopulationStabilityIndex,
        drift.JensenShannonDistance,
        drift.KolmogorovSmirnov,
        drift.KolmogorovSmirnovPValue,
        drift.Wasserstein,
        drift.Severity.ToString());

    [LoggerMessage(Level = LogLevel.Information, Message = "Reference metrics of {Model} version {Version}: {Metrics} over {Rows} labelled rows")]
    private partial void LogReference(string model, string version, string metrics, long rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Monitoring alert for {Model} version {Version}: {Kind} {Subject}: {Detail}")]
    private partial void LogRaised(string model, string version, string kind, string subject, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitoring alert cleared for {Model} version {Version}: {Kind} {Subject}")]
    private partial void LogCleared(string model, string version, string kind, string subject);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built the reference profile of {Model} version {Version} from {Rows} production rows (predictions profiled: {WithPredictions})")]
    private partial void LogProfileBuilt(string model, string version, int rows, bool withPredictions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the {Kind} alert of {Model} version {Version} in the audit trail")]
    private partial void LogAuditFailed(Exception exception, string kind, string model, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the monitoring state of {Model} version {Version} as the silo started stopping; its deactivation writes it")]
    private partial void LogWriteAtStopFailed(Exception exception, string model, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand the {Kind} alert of {Model} version {Version} to retraining")]
    private partial void LogRetrainingHandOffFailed(Exception exception, string kind, string model, string version);
}
