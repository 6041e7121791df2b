using System.Collections.Concurrent;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Monitoring.Recording;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>One version's statistics on this replica.</summary>
public sealed class VersionStatistics
{
    private readonly ConcurrentQueue<(float[] Row, float Prediction)> _profileSample = new();
    private MonitoringPlan? _plan;
    private PredictionStatisticsAccumulator _accumulator;
    private readonly string _senderId;
    private int _sampledRows;
    private int _generation;

    /// <param name="senderId">Unique to these statistics among all the replica ever keeps.</param>
    internal VersionStatistics(string senderId, string model, string version, DateTimeOffset start)
    {
        _senderId = senderId;
        ModelName = model;
        Version = version;
        _accumulator = new PredictionStatisticsAccumulator(null, start);
    }

    /// <summary>
    /// The id this version's snapshots carry. Each accumulator numbers its snapshots from 1, so a new accumulator
    /// (after a profile arrives) is a new sender as far as deduplication goes.
    /// </summary>
    public string SnapshotSenderId => $"{_senderId}-{Volatile.Read(ref _generation)}";

    public string ModelName { get; }

    public string Version { get; }

    public PredictionStatisticsAccumulator Accumulator => Volatile.Read(ref _accumulator);

    public bool HasProfile => Accumulator.Profile is not null;

    /// <summary>Feature names: the profile's, or the ones the version's plan gives before there is a profile.</summary>
    public IReadOnlyList<string>? FeatureNames => _profileFeatureNames ?? (_plan is { } plan && _featureCount > 0 ? plan.FeatureNamesFor(_featureCount) : null);

    private IReadOnlyList<string>? _profileFeatureNames;
    private int _featureCount;

    public DateTimeOffset LastProfileCheck { get; set; } = DateTimeOffset.MinValue;

    /// <summary>Snapshots drained but not yet delivered, oldest first (only the publisher touches it).</summary>
    internal Queue<MonitoringSnapshot> Pending { get; } = new();

    /// <summary>Records a successful request read as <paramref name="plan"/> says; never throws.</summary>
    public void RecordSuccess(ScoredRows rows, MonitoringPlan plan, TimeSpan queue, TimeSpan compute, TimeSpan total)
    {
        if (!ReferenceEquals(_plan, plan))
        {
            _plan = plan;
        }

        var accumulator = Accumulator;
        var profile = accumulator.Profile;
        var features = rows.FeatureCount > 0 && (profile is null || profile.Features.Count == rows.FeatureCount)
            ? rows.Features
            : [];
        var scores = rows.Scores.Length == rows.Rows ? rows.Scores.AsSpan() : [];
        accumulator.RecordSuccess(features, features.IsEmpty ? 0 : rows.FeatureCount, scores, rows.Rows, queue, compute, total);
        // Once per request, so the histogram is the batch size seen by requests (a batch of 8 merged requests adds
        // 8 counts of 8), not a count of executions: that is what tells a caller whether batching reached them.
        accumulator.RecordBatch(rows.BatchRows);
        if (profile is null && rows.FeatureCount > 0 && Volatile.Read(ref _sampledRows) < 100_000)
        {
            _featureCount = rows.FeatureCount;
            for (var row = 0; row < rows.Rows; row++)
            {
                var prediction = scores.IsEmpty ? float.NaN : scores[row];
                _profileSample.Enqueue((features.Slice(row * rows.FeatureCount, rows.FeatureCount).ToArray(), prediction));
            }

            Interlocked.Add(ref _sampledRows, rows.Rows);
        }
    }

    /// <summary>Takes up to <paramref name="count"/> sampled rows, and the prediction of each, for the next snapshot.</summary>
    internal (float[][] Rows, float[] Predictions) TakeProfileSample(int count)
    {
        var rows = new List<float[]>(Math.Min(count, 512));
        var predictions = new List<float>(Math.Min(count, 512));
        while (rows.Count < count && _profileSample.TryDequeue(out var sampled))
        {
            rows.Add(sampled.Row);
            predictions.Add(sampled.Prediction);
        }

        return ([.. rows], [.. predictions]);
    }

    /// <summary>Switches to a profile: drains the old accumulator (returned, to be sent) and starts binning on the new one.</summary>
    internal (PredictionStatisticsAccumulator Previous, string PreviousSenderId) UseProfile(ReferenceProfileData profile, DateTimeOffset now)
    {
        var converted = MonitoringMapper.ToProfile(profile);
        _profileFeatureNames = [.. converted.Features.Select(feature => feature.Name)];
        _profileSample.Clear();
        var previousSender = SnapshotSenderId;
        var previous = Interlocked.Exchange(ref _accumulator, new PredictionStatisticsAccumulator(converted, now));
        Interlocked.Increment(ref _generation);
        return (previous, previousSender);
    }
}
