using MlopsAspire.Monitoring.Metrics;

namespace MlopsAspire.Cli.Scenarios;

/// <summary>
/// The bookkeeping of <see cref="DriftScenario"/>, kept apart from the network so it can be checked on its own:
/// responses into time buckets by arrival, accuracy and AUC per bucket and per serving version, route changes as
/// timeline events, and the pre-drift against post-recovery verdict. Times are offsets from the run's start.
/// Safe to call from many threads.
/// </summary>
public sealed class DriftAccounting
{
    /// <summary>Scores at or above this count as a fraud prediction.</summary>
    public const float DecisionThreshold = 0.5f;

    private readonly object _gate = new();
    private readonly TimeSpan _bucketWidth;
    private readonly TimeSpan _warmup;
    private readonly double _recoveryTolerance;
    private readonly SortedDictionary<long, OpenBucket> _open = [];
    private readonly List<(DriftBucket Bucket, OpenBucket Rows)> _closed = [];
    private readonly List<DriftTimelineEvent> _events = [];
    private readonly Dictionary<string, long> _errors = [];
    private long _firstOpenIndex;
    private ModelRoutes? _routes;
    private TimeSpan? _driftStartedAt;
    private string _productionAtDrift = "";
    private (string Version, TimeSpan At)? _latestProductionChange;

    public DriftAccounting(TimeSpan bucketWidth, TimeSpan warmup, double recoveryTolerance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucketWidth, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(warmup, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(recoveryTolerance);
        _bucketWidth = bucketWidth;
        _warmup = warmup;
        _recoveryTolerance = recoveryTolerance;
    }

    /// <summary>An answered request: its serving version, whether its labels follow the drifted concept, a score and a label per row.</summary>
    public void RecordResponse(TimeSpan at, string version, bool drifted, IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"Got {scores.Count} scores but {labels.Count} labels; they pair up row by row.", nameof(labels));
        }

        lock (_gate)
        {
            BucketAt(at).Add(version, drifted, scores, labels);
        }
    }

    /// <summary>A failed or skipped request, by gRPC status name or client-side reason.</summary>
    public void RecordError(TimeSpan at, string status)
    {
        lock (_gate)
        {
            BucketAt(at).AddError(status);
            _errors[status] = _errors.GetValueOrDefault(status) + 1;
        }
    }

    public DriftTimelineEvent RecordDriftStarted(TimeSpan at, double conceptDrift)
    {
        lock (_gate)
        {
            _driftStartedAt = at;
            _productionAtDrift = _routes?.Production ?? "";
            return AddEvent(new DriftTimelineEvent(at, DriftEventKind.DriftStarted, _productionAtDrift, $"labels switch to concept drift {conceptDrift:0.##}; inputs unchanged"));
        }
    }

    /// <summary>The model's routes as read now; returns what changed since the last read (the first read is one RoutesObserved event).</summary>
    public IReadOnlyList<DriftTimelineEvent> RecordRoutes(TimeSpan at, ModelRoutes routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        lock (_gate)
        {
            var previous = _routes;
            _routes = routes;
            var changes = new List<DriftTimelineEvent>();
            if (previous is null)
            {
                var canary = routes.Canary.Length == 0 ? "none" : $"{routes.Canary} ({routes.CanaryWeightPercent}%)";
                var shadows = routes.Shadows.Count == 0 ? "none" : string.Join(", ", routes.Shadows);
                changes.Add(new DriftTimelineEvent(at, DriftEventKind.RoutesObserved, routes.Production, $"production {Show(routes.Production)}, canary {canary}, shadows {shadows}, {routes.VersionStates.Count} versions"));
                return AddEvents(changes);
            }

            foreach (var (version, state) in routes.VersionStates.OrderBy(pair => pair.Key, VersionOrder.Instance))
            {
                if (!previous.VersionStates.TryGetValue(version, out var before))
                {
                    changes.Add(new DriftTimelineEvent(at, DriftEventKind.VersionRegistered, version, $"version {version} registered ({state})"));
                }
                else if (before != state)
                {
                    changes.Add(new DriftTimelineEvent(at, DriftEventKind.VersionStateChanged, version, $"version {version}: {before} → {state}"));
                }
            }

            foreach (var shadow in routes.Shadows.Except(previous.Shadows))
            {
                changes.Add(new DriftTimelineEvent(at, DriftEventKind.ShadowStarted, shadow, $"version {shadow} shadows production"));
            }

            foreach (var shadow in previous.Shadows.Except(routes.Shadows))
            {
                changes.Add(new DriftTimelineEvent(at, DriftEventKind.ShadowEnded, shadow, $"version {shadow} no longer shadows"));
            }

            if (previous.Canary != routes.Canary || previous.CanaryWeightPercent != routes.CanaryWeightPercent)
            {
                changes.Add(routes.Canary.Length == 0
                    ? new DriftTimelineEvent(at, DriftEventKind.CanaryChanged, previous.Canary, $"canary {previous.Canary} ended")
                    : new DriftTimelineEvent(at, DriftEventKind.CanaryChanged, routes.Canary, $"version {routes.Canary} is the canary at {routes.CanaryWeightPercent}%"));
            }

            if (previous.Production != routes.Production)
            {
                changes.Add(new DriftTimelineEvent(at, DriftEventKind.ProductionChanged, routes.Production, $"production {Show(previous.Production)} → {Show(routes.Production)}"));
                _latestProductionChange = (routes.Production, at);
            }

            return AddEvents(changes);
        }
    }

    /// <summary>Closes the buckets that ended at or before <paramref name="now"/>, oldest first, empty ones included.</summary>
    public IReadOnlyList<DriftBucket> CloseBuckets(TimeSpan now)
    {
        lock (_gate)
        {
            return CloseBefore(Index(now));
        }
    }

    /// <summary>Closes every bucket up to <paramref name="now"/>, the one still filling included: the run is over.</summary>
    public IReadOnlyList<DriftBucket> CloseAll(TimeSpan now)
    {
        lock (_gate)
        {
            var last = Math.Max(Index(now), _open.Count == 0 ? -1 : _open.Keys.Max());
            return CloseBefore(last + 1);
        }
    }

    /// <summary>Buckets served wholly by a production version that took over after drift started; what early stopping waits on.</summary>
    public TimeSpan RecoveredSpan()
    {
        lock (_gate)
        {
            return PostRecoveryBuckets().Aggregate(TimeSpan.Zero, (sum, closed) => sum + (closed.Bucket.End - closed.Bucket.Start));
        }
    }

    /// <summary>The verdict over the buckets closed so far.</summary>
    public DriftScenarioResult Summarize(TimeSpan elapsed)
    {
        lock (_gate)
        {
            var pre = _closed.Where(closed => closed.Bucket.Rows > 0
                && closed.Bucket.DriftedRows == 0
                && closed.Bucket.Start >= _warmup
                && (_driftStartedAt is not { } drift || closed.Bucket.Start < drift)).ToList();
            var post = PostRecoveryBuckets();
            var preQuality = Quality(pre);
            var postQuality = Quality(post);
            var newProduction = NewProduction();
            return new DriftScenarioResult
            {
                Elapsed = elapsed,
                InitialProductionVersion = _events.FirstOrDefault(e => e.Kind == DriftEventKind.RoutesObserved)?.Version ?? "",
                FinalProductionVersion = _routes?.Production ?? "",
                DriftStartedAt = _driftStartedAt,
                NewProductionVersion = newProduction?.Version,
                ProductionChangedAt = newProduction?.At,
                PreDrift = preQuality,
                PostRecovery = postQuality,
                RecoveryTolerance = _recoveryTolerance,
                Recovered = preQuality.Rows > 0 && postQuality.Rows > 0
                    && Math.Abs(postQuality.Accuracy - preQuality.Accuracy) <= _recoveryTolerance,
                Buckets = [.. _closed.Select(closed => closed.Bucket)],
                Events = [.. _events],
                RequestsSucceeded = _closed.Sum(closed => closed.Bucket.Requests) + _open.Values.Sum(open => open.Requests),
                ErrorsByStatus = new Dictionary<string, long>(_errors),
            };
        }
    }

    private (string Version, TimeSpan At)? NewProduction() =>
        _driftStartedAt is { } drift && _latestProductionChange is { } change && change.At >= drift
            && change.Version.Length > 0 && change.Version != _productionAtDrift && change.Version == _routes?.Production
            ? change
            : null;

    private List<(DriftBucket Bucket, OpenBucket Rows)> PostRecoveryBuckets()
    {
        if (NewProduction() is not { } production)
        {
            return [];
        }

        return [.. _closed.Where(closed => closed.Bucket.Rows > 0
            && closed.Bucket.DriftedRows == closed.Bucket.Rows
            && closed.Bucket.Start >= production.At
            && closed.Bucket.Versions.Count == 1
            && closed.Bucket.Versions.ContainsKey(production.Version))];
    }

    private static DriftQuality Quality(List<(DriftBucket Bucket, OpenBucket Rows)> buckets)
    {
        var rows = buckets.Sum(closed => closed.Bucket.Rows);
        if (rows == 0)
        {
            return DriftQuality.None;
        }

        var scores = buckets.SelectMany(closed => closed.Rows.AllScores()).ToList();
        var labels = buckets.SelectMany(closed => closed.Rows.AllLabels()).ToList();
        return new DriftQuality(buckets.Count, rows, (double)buckets.Sum(closed => closed.Bucket.Correct) / rows, AreaUnderRocCurve.Compute(scores, labels));
    }

    private OpenBucket BucketAt(TimeSpan at)
    {
        // A response timed just before its bucket closed lands in the oldest open bucket rather than reopening a closed one.
        var index = Math.Max(Index(at), _firstOpenIndex);
        if (!_open.TryGetValue(index, out var bucket))
        {
            bucket = new OpenBucket();
            _open.Add(index, bucket);
        }

        return bucket;
    }

    private List<DriftBucket> CloseBefore(long endIndex)
    {
        var closed = new List<DriftBucket>();
        for (var index = _firstOpenIndex; index < endIndex; index++)
        {
            var open = _open.GetValueOrDefault(index) ?? new OpenBucket();
            _open.Remove(index);
            var bucket = open.Close(_bucketWidth * index, _bucketWidth * (index + 1));
            _closed.Add((bucket, open));
            closed.Add(bucket);
        }

        _firstOpenIndex = Math.Max(_firstOpenIndex, endIndex);
        return closed;
    }

    private long Index(TimeSpan at) => Math.Max(0, at.Ticks / _bucketWidth.Ticks);

    private DriftTimelineEvent AddEvent(DriftTimelineEvent timelineEvent)
    {
        _events.Add(timelineEvent);
        return timelineEvent;
    }

    private List<DriftTimelineEvent> AddEvents(List<DriftTimelineEvent> changes)
    {
        _events.AddRange(changes);
        return changes;
    }

    private static string Show(string version) => version.Length == 0 ? "none" : version;

    /// <summary>Rows of one bucket kept per serving version until it closes.</summary>
    private sealed class OpenBucket
    {
        private readonly Dictionary<string, (List<float> Scores, List<bool> Labels)> _byVersion = [];
        private readonly Dictionary<string, long> _errors = [];
        private long _driftedRows;

        public long Requests { get; private set; }

        public void Add(string version, bool drifted, IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
        {
            if (!_byVersion.TryGetValue(version, out var rows))
            {
                rows = ([], []);
                _byVersion.Add(version, rows);
            }

            rows.Scores.AddRange(scores);
            rows.Labels.AddRange(labels);
            Requests++;
            if (drifted)
            {
                _driftedRows += scores.Count;
            }
        }

        public void AddError(string status) => _errors[status] = _errors.GetValueOrDefault(status) + 1;

        public IEnumerable<float> AllScores() => _byVersion.OrderBy(pair => pair.Key, StringComparer.Ordinal).SelectMany(pair => pair.Value.Scores);

        public IEnumerable<bool> AllLabels() => _byVersion.OrderBy(pair => pair.Key, StringComparer.Ordinal).SelectMany(pair => pair.Value.Labels);

        public DriftBucket Close(TimeSpan start, TimeSpan end)
        {
            var versions = new Dictionary<string, DriftVersionSlice>();
            foreach (var (version, (scores, labels)) in _byVersion)
            {
                var correct = Correct(scores, labels);
                versions.Add(version, new DriftVersionSlice(version, scores.Count, correct, (double)correct / scores.Count, AreaUnderRocCurve.Compute(scores, labels)));
            }

            var rows = versions.Values.Sum(slice => slice.Rows);
            var allCorrect = versions.Values.Sum(slice => slice.Correct);
            var allLabels = AllLabels().ToList();
            return new DriftBucket(
                start,
                end,
                Requests,
                rows,
                allCorrect,
                allLabels.LongCount(label => label),
                _driftedRows,
                rows == 0 ? double.NaN : (double)allCorrect / rows,
                AreaUnderRocCurve.Compute(AllScores().ToList(), allLabels),
                versions,
                new Dictionary<string, long>(_errors));
        }

        private static long Correct(List<float> scores, List<bool> labels)
        {
            long correct = 0;
            for (var i = 0; i < scores.Count; i++)
            {
                if ((scores[i] >= DecisionThreshold) == labels[i])
                {
                    correct++;
                }
            }

            return correct;
        }
    }

    /// <summary>Numeric versions in numeric order ("2" before "10"), anything else after them by text.</summary>
    private sealed class VersionOrder : IComparer<string>
    {
        public static VersionOrder Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            var xNumber = long.TryParse(x, out var a);
            var yNumber = long.TryParse(y, out var b);
            return xNumber && yNumber ? a.CompareTo(b) : xNumber ? -1 : yNumber ? 1 : string.CompareOrdinal(x, y);
        }
    }
}
