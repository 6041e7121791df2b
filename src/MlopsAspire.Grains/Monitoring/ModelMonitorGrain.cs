using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.Monitoring.Drift;
using MlopsAspire.Monitoring.Windows;
using StatisticsProfile = MlopsAspire.Monitoring.Profiles.ReferenceProfile;

namespace MlopsAspire.Grains.Monitoring;

/// <summary>
/// Monitoring of one model version. Replicas report a snapshot about once a second; the grain merges them into
/// rolling windows (deduplicated by replica and sequence), judges each window once it has closed and its grace
/// period for late snapshots has passed, and raises or clears alerts. State is written every few seconds when
/// it changed, and on deactivation, so a silo crash loses at most that much merged data.
/// </summary>
public sealed class ModelMonitorGrain(
    [PersistentState("monitor", GrainStorageNames.Models)] IPersistentState<ModelMonitorState> state,
    TimeProvider time,
    IGrainFactory grains,
    IOptions<MonitoringDefaultsOptions> defaults,
    ILogger<ModelMonitorGrain> logger) : Grain, IModelMonitorGrain
{
    /// <summary>Who monitoring events are attributed to in a model's audit trail.</summary>
    public const string Actor = "monitoring";

    /// <summary>Rows collected from production to build a reference profile when none was supplied.</summary>
    public const int ProfileSampleRows = 2000;

    private const string AccuracyAlertKey = "accuracy:outcomes";
    private const int KeptReports = 1440;
    private const int KeptAlerts = 500;
    private const int PersistedShortWindows = 60;
    private static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(5);

    private string _modelName = string.Empty;
    private string _version = string.Empty;
    private StatisticsProfile? _profile;
    private RollingWindows _windows = null!;
    private DriftEvaluator? _evaluator;
    private bool _dirty;
    private DateTimeOffset _lastPersisted;

    private readonly Lazy<MonitoringPolicy> _defaultPolicy = new(defaults.Value.ToPolicy);

    private MonitoringPolicy Policy => state.State.Policy ?? _defaultPolicy.Value;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_modelName, _version) = MonitorKeys.Parse(this.GetPrimaryKeyString());
        Rebuild();
        var period = TimeSpan.FromTicks(Math.Clamp(Policy.Window.Ticks / 2, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromSeconds(10).Ticks));
        this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(period, period) { Interleave = false });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await PersistAsync();
        }
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
            CollectProfileSample(snapshot);
        }

        JudgeClosedWindows();
        await PersistIfDueAsync();
        return true;
    }

    public async Task<bool> RecordOutcomes(string batchId, IReadOnlyList<LabelledOutcome> outcomes)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        ArgumentNullException.ThrowIfNull(outcomes);
        var accepted = false;
        var window = Policy.Window;
        var sequence = 0L;
        foreach (var group in outcomes.GroupBy(outcome => RollingWindows.WindowStart(outcome.PredictedAt, window)).OrderBy(group => group.Key))
        {
            var statistics = new PredictionStatistics(_profile);
            foreach (var outcome in group)
            {
                statistics.Outcomes.Record(outcome.Score, outcome.Label);
            }

            // One pseudo-replica per batch: a retried batch repeats its ids and sequences and is refused.
            accepted |= _windows.Add(new StatisticsSnapshot($"feedback:{batchId}", sequence++, group.Key, group.Key + window, statistics));
        }

        if (accepted)
        {
            _dirty = true;
            await PersistIfDueAsync();
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

        state.State.Profile = profile;
        state.State.ProfileSample.Clear();
        state.State.ConsecutiveWarnings.Clear();

        // Windows binned without (or on another) profile cannot be compared with this one: start afresh.
        state.State.ShortWindows.Clear();
        state.State.LongWindows.Clear();
        Rebuild(keepWindows: false);
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
            merged.Outcomes.Count,
            merged.Outcomes.Accuracy,
            merged.Outcomes.Auc,
            merged.Outcomes.LogLoss,
            _windows.ShortWindows.Keys.Cast<DateTimeOffset?>().FirstOrDefault()));
    }

    public Task<IReadOnlyList<WindowReport>> GetWindowReports(int count) =>
        Task.FromResult<IReadOnlyList<WindowReport>>([.. state.State.Reports.TakeLast(Math.Max(0, count))]);

    public Task<IReadOnlyList<MonitoringAlert>> GetAlerts(int count) =>
        Task.FromResult<IReadOnlyList<MonitoringAlert>>([.. state.State.Alerts.TakeLast(Math.Max(0, count))]);

    public async Task EvaluateClosedWindows()
    {
        JudgeClosedWindows();
        JudgeAccuracy();
        await PersistIfDueAsync();
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        JudgeClosedWindows();
        JudgeAccuracy();
        await PersistIfDueAsync();
    }

    /// <summary>
    /// Concept drift shows only in ground truth: compares accuracy and AUC over the recent windows with the
    /// version's first labelled rows, and raises an accuracy alert when either has dropped by its limit
    /// (cleared when both are back within half of it). Labels arrive late, so this runs on every tick.
    /// </summary>
    private void JudgeAccuracy()
    {
        var policy = Policy;
        if (policy.AccuracyDropAlert <= 0 && policy.AucDropAlert <= 0)
        {
            return;
        }

        var windows = _windows.ShortWindows.OrderBy(pair => pair.Key).ToList();
        var needed = policy.LabelledRowsToJudge;
        if (state.State.AccuracyReference is not { } reference)
        {
            var early = new MlopsAspire.Monitoring.Windows.OutcomeStatistics();
            foreach (var (start, window) in windows)
            {
                early.Merge(window.Outcomes);
                if (early.Count >= needed)
                {
                    state.State.AccuracyReference = new AccuracyReference(early.Accuracy, early.Auc, early.Count, start);
                    _dirty = true;
                    logger.LogInformation("Reference accuracy of {Model} version {Version}: {Accuracy:P2}, AUC {Auc:F3} over {Rows} labelled rows", _modelName, _version, early.Accuracy, early.Auc, early.Count);
                    break;
                }
            }

            if (state.State.AccuracyReference is not { } captured)
            {
                return;
            }

            reference = captured;
        }

        var recent = new MlopsAspire.Monitoring.Windows.OutcomeStatistics();
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


        MonitoringInstruments.PublishOutcomes(_modelName, _version, recent.Accuracy, recent.Auc);
        var accuracyDrop = reference.Accuracy - recent.Accuracy;
        var aucDrop = double.IsNaN(reference.Auc) || double.IsNaN(recent.Auc) ? 0 : reference.Auc - recent.Auc;
        var breached = (policy.AccuracyDropAlert > 0 && accuracyDrop >= policy.AccuracyDropAlert)
            || (policy.AucDropAlert > 0 && aucDrop >= policy.AucDropAlert);
        var recovered = (policy.AccuracyDropAlert <= 0 || accuracyDrop < policy.AccuracyDropAlert / 2)
            && (policy.AucDropAlert <= 0 || aucDrop < policy.AucDropAlert / 2);
        var detail = $"since {from:u}: accuracy {recent.Accuracy:P2} (reference {reference.Accuracy:P2}), AUC {recent.Auc:F3} (reference {reference.Auc:F3}) over {recent.Count} labelled rows";
        var active = state.State.ActiveAlerts.ContainsKey(AccuracyAlertKey);
        if (breached && !active)
        {
            Raise(AccuracyAlertKey, new MonitoringAlert(time.GetUtcNow(), _modelName, _version, "accuracy", "outcomes", true, detail));
            _dirty = true;
        }
        else if (recovered && active)
        {
            Clear(AccuracyAlertKey, new MonitoringAlert(time.GetUtcNow(), _modelName, _version, "accuracy", "outcomes", false, $"back within limits {detail}"));
            _dirty = true;
        }
    }

    private void JudgeClosedWindows()
    {
        var now = time.GetUtcNow();
        var policy = Policy;
        var closed = _windows.ShortWindows
            .Where(pair => (state.State.LastJudgedWindow is null || pair.Key > state.State.LastJudgedWindow) && pair.Key + policy.Window + policy.Grace <= now)
            .OrderBy(pair => pair.Key)
            .ToList();
        foreach (var (start, window) in closed)
        {
            var report = Judge(start, window);
            state.State.Reports.Add(report);
            if (state.State.Reports.Count > KeptReports)
            {
                state.State.Reports.RemoveRange(0, state.State.Reports.Count - KeptReports);
            }

            state.State.LastJudgedWindow = start;
            UpdateAlerts(report, now);
            MonitoringInstruments.Publish(_modelName, _version, report, state.State.ActiveAlerts.Count);
            _dirty = true;
        }

        if (closed.Count > 0 && _evaluator is not null)
        {
            state.State.ConsecutiveWarnings = new Dictionary<string, int>(_evaluator.ConsecutiveWarnings);
        }
    }

    private WindowReport Judge(DateTimeOffset start, PredictionStatistics window)
    {
        var features = new List<FeatureDriftData>();
        var predictions = new List<FeatureDriftData>();
        var severity = DriftSeverity.None;
        if (_evaluator is not null)
        {
            var drift = _evaluator.Evaluate(start, window);
            features.AddRange(drift.Features.Select(ToData));
            predictions.AddRange(drift.Predictions.Select(ToData));
            severity = drift.Severity;
        }

        return new WindowReport(
            start,
            window.RequestCount,
            window.RowCount,
            window.ErrorRate,
            window.TotalLatency.Percentile(0.5) / 1000,
            window.TotalLatency.Percentile(0.99) / 1000,
            window.NonFiniteInputs,
            window.OutOfRangeInputs,
            features,
            predictions,
            window.Shadows.ToDictionary(pair => pair.Key, pair => MonitoringMapper.ToMessage(pair.Value), StringComparer.Ordinal),
            severity.ToString(),
            window.Outcomes.Count,
            window.Outcomes.Accuracy,
            window.Outcomes.Auc,
            window.Outcomes.LogLoss);
    }

    private void UpdateAlerts(WindowReport report, DateTimeOffset now)
    {
        foreach (var (kind, drift) in report.Features.Select(d => ("feature_drift", d)).Concat(report.Predictions.Select(d => ("prediction_drift", d))))
        {
            var key = $"{kind}:{drift.Name}";
            var active = state.State.ActiveAlerts.ContainsKey(key);
            if (drift.Severity == nameof(DriftSeverity.Alert) && !active)
            {
                Raise(key, new MonitoringAlert(
                    now, _modelName, _version, kind, drift.Name, Raised: true,
                    $"window {report.WindowStart:u}: PSI {drift.PopulationStabilityIndex:F3}, JS {drift.JensenShannonDistance:F3}, KS {drift.KolmogorovSmirnov:F3} over {drift.Rows} rows"));
            }
            else if (drift.Severity == nameof(DriftSeverity.None) && active && drift.Rows > 0)
            {
                Clear(key, new MonitoringAlert(
                    now, _modelName, _version, kind, drift.Name, Raised: false,
                    $"window {report.WindowStart:u}: back within thresholds (PSI {drift.PopulationStabilityIndex:F3})"));
            }
        }

        // Data quality: more than 1% of the window's input values non-finite.
        var values = report.RowCount * Math.Max(1, state.State.Profile?.Features.Count ?? 1);
        var nonFiniteShare = values == 0 ? 0 : (double)report.NonFiniteInputs / values;
        const string qualityKey = "data_quality:non_finite";
        if (nonFiniteShare > 0.01 && !state.State.ActiveAlerts.ContainsKey(qualityKey))
        {
            Raise(qualityKey, new MonitoringAlert(now, _modelName, _version, "data_quality", "non_finite", true, $"{nonFiniteShare:P1} of input values were NaN or infinite"));
        }
        else if (nonFiniteShare <= 0.01 && report.RowCount > 0 && state.State.ActiveAlerts.ContainsKey(qualityKey))
        {
            Clear(qualityKey, new MonitoringAlert(now, _modelName, _version, "data_quality", "non_finite", false, "non-finite inputs back under 1%"));
        }
    }

    private readonly List<MonitoringAlert> _unaudited = [];

    private void Raise(string key, MonitoringAlert alert)
    {
        state.State.ActiveAlerts[key] = alert;
        _unaudited.Add(alert);
        AppendAlert(alert);
        MonitoringInstruments.RecordAlert(_modelName, _version, alert.Kind, alert.Subject);
        logger.LogWarning("Monitoring alert for {Model} version {Version}: {Kind} {Subject}: {Detail}", _modelName, _version, alert.Kind, alert.Subject, alert.Detail);
    }

    private void Clear(string key, MonitoringAlert alert)
    {
        state.State.ActiveAlerts.Remove(key);
        _unaudited.Add(alert);
        AppendAlert(alert);
        logger.LogInformation("Monitoring alert cleared for {Model} version {Version}: {Kind} {Subject}", _modelName, _version, alert.Kind, alert.Subject);
    }

    private void AppendAlert(MonitoringAlert alert)
    {
        state.State.Alerts.Add(alert);
        if (state.State.Alerts.Count > KeptAlerts)
        {
            state.State.Alerts.RemoveRange(0, state.State.Alerts.Count - KeptAlerts);
        }
    }

    private void CollectProfileSample(MonitoringSnapshot snapshot)
    {
        var sample = state.State.ProfileSample;
        var width = snapshot.SampleRows![0].Length;
        foreach (var row in snapshot.SampleRows)
        {
            if (sample.Count >= ProfileSampleRows)
            {
                break;
            }

            if (row.Length == width && (sample.Count == 0 || sample[0].Length == width))
            {
                sample.Add(row);
            }
        }

        state.State.SampleFeatureNames ??= snapshot.FeatureNames?.Count == width
            ? [.. snapshot.FeatureNames]
            : [.. Enumerable.Range(0, width).Select(i => $"input_{i}")];
        if (sample.Count >= ProfileSampleRows)
        {
            var profile = StatisticsProfile.FromRows(state.State.SampleFeatureNames, sample);
            state.State.Profile = MonitoringMapper.ToMessage(profile, $"first {sample.Count} production rows");
            sample.Clear();
            state.State.ShortWindows.Clear();
            state.State.LongWindows.Clear();
            Rebuild(keepWindows: false);
            logger.LogInformation("Built the reference profile of {Model} version {Version} from production traffic", _modelName, _version);
        }
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
            _windows.Deduplicator.Restore(replica.ReplicaId, replica.Highest, replica.Seen);
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

    /// <summary>Alerts become events in the model's audit trail (best effort: the alert itself is kept here).</summary>
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
                    alert.Raised ? $"alert:{alert.Kind}" : $"alert-cleared:{alert.Kind}",
                    $"{alert.Subject}: {alert.Detail}",
                    Actor);
            }
            catch (Exception exception)
            {
                logger.LogWarning(exception, "Could not record the {Kind} alert of {Model} version {Version} in the audit trail", alert.Kind, _modelName, _version);
            }

            if (alert.Raised)
            {
                try
                {
                    // Retraining decides from its policy whether this alert starts a run.
                    await grains.GetGrain<IModelRetrainingGrain>(_modelName).OnAlert(alert);
                }
                catch (Exception exception)
                {
                    logger.LogWarning(exception, "Could not hand the {Kind} alert of {Model} version {Version} to retraining", alert.Kind, _modelName, _version);
                }
            }
        }
    }

    private async Task PersistIfDueAsync()
    {
        await AuditAlertsAsync();
        if (_dirty && time.GetUtcNow() - _lastPersisted >= PersistInterval)
        {
            await PersistAsync();
        }
    }

    private async Task PersistAsync()
    {
        var policy = Policy;
        state.State.ShortWindows = [.. _windows.ShortWindows
            .TakeLast(PersistedShortWindows)
            .Select(pair => MonitoringMapper.ToMessage(ModelMonitorState.StoredWindowReplica, 0, pair.Key, pair.Key + policy.Window, pair.Value))];
        state.State.LongWindows = [.. _windows.LongWindows
            .Select(pair => MonitoringMapper.ToMessage(ModelMonitorState.StoredWindowReplica, 0, pair.Key, pair.Key + _windows.LongWindow, pair.Value))];
        state.State.Replicas = [.. _windows.Deduplicator.Export().Select(replica => new ReplicaSequence(replica.ReplicaId, replica.Highest, replica.Seen))];
        await state.WriteStateAsync();
        _dirty = false;
        _lastPersisted = time.GetUtcNow();
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
}
