using MlopsAspire.Monitoring.Profiles;
using MlopsAspire.Monitoring.Windows;
using MlopsAspire.Monitoring.Recording;
using MlopsAspire.FraudData;

namespace MlopsAspire.Monitoring.Tests.Recording;

/// <summary>One call a replica makes on an accumulator.</summary>
internal abstract record StatisticsCall
{
    public abstract void Apply(PredictionStatisticsAccumulator accumulator, StatisticsWorkload workload);
}

internal sealed record SuccessCall(int FirstRow, int Rows, bool WithScores, TimeSpan Queue, TimeSpan Compute, TimeSpan Total) : StatisticsCall
{
    public override void Apply(PredictionStatisticsAccumulator accumulator, StatisticsWorkload workload) =>
        accumulator.RecordSuccess(
            workload.Inputs.AsSpan(FirstRow * FraudFeatures.Count, Rows * FraudFeatures.Count),
            FraudFeatures.Count,
            WithScores ? workload.Scores.AsSpan(FirstRow, Rows) : default,
            Rows,
            Queue,
            Compute,
            Total);
}

internal sealed record FailureCall(string Status, TimeSpan Total) : StatisticsCall
{
    public override void Apply(PredictionStatisticsAccumulator accumulator, StatisticsWorkload workload) => accumulator.RecordFailure(Status, Total);
}

internal sealed record BatchCall(int BatchSize) : StatisticsCall
{
    public override void Apply(PredictionStatisticsAccumulator accumulator, StatisticsWorkload workload) => accumulator.RecordBatch(BatchSize);
}

internal sealed record ShadowCall(string Version, ShadowBatchComparison Comparison) : StatisticsCall
{
    public override void Apply(PredictionStatisticsAccumulator accumulator, StatisticsWorkload workload) => accumulator.RecordShadow(Version, Comparison);
}

internal sealed record ShadowDroppedCall(string Version) : StatisticsCall
{
    public override void Apply(PredictionStatisticsAccumulator accumulator, StatisticsWorkload workload) => accumulator.RecordShadowDropped(Version);
}

/// <summary>
/// Fraud rows (a reference sample and drifted live rows with some NaN and ∞ mixed in), a score per row, and a
/// seeded stream of calls over them, with the statistics computed offline the plain way for comparison.
/// </summary>
internal sealed class StatisticsWorkload
{
    public static readonly string[] Statuses = ["INVALID_ARGUMENT", "RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED", "UNAVAILABLE"];
    public static readonly string[] ShadowVersions = ["v2", "v3"];

    public StatisticsWorkload(int liveRows, int seed = 11)
    {
        var reference = new FraudDataGenerator(new FraudDataOptions { Seed = 1 }).Generate(5_000).Select(row => row.Features).ToList();
        Profile = ReferenceProfile.FromRows(
            FraudFeatures.Names,
            reference,
            new Dictionary<string, IReadOnlyList<double>> { ["probability"] = reference.Select(row => (double)Score(row)).ToList() });

        // Drifted so that some values fall outside the reference range; a few values are not finite at all.
        var random = new Random(seed);
        var live = new FraudDataGenerator(new FraudDataOptions { Seed = 2, GlobalShift = 0.7 }).Generate(liveRows).ToList();
        Inputs = new float[liveRows * FraudFeatures.Count];
        Scores = new float[liveRows];
        for (var row = 0; row < liveRows; row++)
        {
            var features = live[row].Features;
            Scores[row] = Score(features);
            if (random.NextDouble() < 0.01)
            {
                features[random.Next(features.Length)] = random.Next(3) switch { 0 => float.NaN, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
            }

            if (random.NextDouble() < 0.005)
            {
                Scores[row] = float.NaN;
            }

            features.CopyTo(Inputs, row * FraudFeatures.Count);
        }

        Random = random;
    }

    public ReferenceProfile Profile { get; }

    /// <summary>Live rows, row-major.</summary>
    public float[] Inputs { get; }

    public float[] Scores { get; }

    public int RowCount => Scores.Length;

    private Random Random { get; }

    /// <summary>A stand-in for the model's probability output: a smooth function of a few features.</summary>
    public static float Score(float[] features) =>
        1f / (1f + MathF.Exp(-((0.004f * features[0]) + (3f * features[2]) + features[7] - 3f)));

    /// <summary>
    /// A seeded stream of calls holding <paramref name="requests"/> requests: mostly successes of 1 to
    /// <paramref name="maxRows"/> rows (now and then 150), some failures, with batches and shadow results between them.
    /// </summary>
    public List<StatisticsCall> Calls(int requests, int maxRows = 64)
    {
        var calls = new List<StatisticsCall>(requests * 5 / 4);
        for (var recorded = 0; recorded < requests;)
        {
            var kind = Random.Next(100);
            if (kind < 87)
            {
                recorded++;
            }

            if (kind < 80)
            {
                var rows = Random.Next(50) == 0 ? 150 : Random.Next(3) == 0 ? 1 : Random.Next(1, maxRows + 1);
                calls.Add(new SuccessCall(
                    Random.Next(RowCount - rows + 1),
                    rows,
                    Random.Next(10) != 0,
                    Latency(),
                    Latency(),
                    Latency()));
            }
            else if (kind < 87)
            {
                calls.Add(new FailureCall(Statuses[Random.Next(Statuses.Length)], Latency()));
            }
            else if (kind < 95)
            {
                calls.Add(new BatchCall(Random.Next(1, 300)));
            }
            else if (kind < 99)
            {
                var compared = Random.Next(1, 20);
                var sumAbsolute = Random.NextDouble() * compared;
                calls.Add(new ShadowCall(
                    ShadowVersions[Random.Next(ShadowVersions.Length)],
                    new ShadowBatchComparison(compared, Random.Next(compared + 1), sumAbsolute, Random.NextDouble(), Random.NextDouble() * 3 * compared)));
            }
            else
            {
                calls.Add(new ShadowDroppedCall(ShadowVersions[Random.Next(ShadowVersions.Length)]));
            }
        }

        return calls;
    }

    /// <summary>The statistics of <paramref name="calls"/> computed one value at a time with the monitoring library's own types.</summary>
    public PredictionStatistics Offline(IEnumerable<StatisticsCall> calls, ReferenceProfile? profile)
    {
        var expected = new PredictionStatistics(profile);
        foreach (var call in calls)
        {
            switch (call)
            {
                case SuccessCall success:
                    expected.RequestCount++;
                    expected.RowCount += success.Rows;
                    expected.QueueLatency.Record(success.Queue.TotalMicroseconds);
                    expected.ComputeLatency.Record(success.Compute.TotalMicroseconds);
                    expected.TotalLatency.Record(success.Total.TotalMicroseconds);
                    for (var row = success.FirstRow; row < success.FirstRow + success.Rows; row++)
                    {
                        for (var feature = 0; feature < FraudFeatures.Count; feature++)
                        {
                            double value = Inputs[(row * FraudFeatures.Count) + feature];
                            if (!double.IsFinite(value))
                            {
                                expected.NonFiniteInputs++;
                            }
                            else if (profile is not null && profile.Features[feature].IsOutOfRange(value))
                            {
                                expected.OutOfRangeInputs++;
                            }

                            if (profile is not null)
                            {
                                expected.Features[feature].Add(value);
                            }
                        }

                        if (profile is not null && success.WithScores)
                        {
                            expected.Predictions[0].Add(Scores[row]);
                        }
                    }

                    break;
                case FailureCall failure:
                    expected.RecordError(failure.Status);
                    expected.TotalLatency.Record(failure.Total.TotalMicroseconds);
                    break;
                case BatchCall batch:
                    expected.RecordBatch(batch.BatchSize);
                    break;
                case ShadowCall shadow:
                    var comparison = ShadowOf(expected, shadow.Version);
                    comparison.Compared += shadow.Comparison.Compared;
                    comparison.LabelAgreements += shadow.Comparison.LabelAgreements;
                    comparison.SumAbsoluteDifference += shadow.Comparison.SumAbsoluteDifference;
                    comparison.SumRelativeDifference += shadow.Comparison.SumRelativeDifference;
                    comparison.MaxAbsoluteDifference = Math.Max(comparison.MaxAbsoluteDifference, shadow.Comparison.MaxAbsoluteDifference);
                    break;
                case ShadowDroppedCall dropped:
                    ShadowOf(expected, dropped.Version).Dropped++;
                    break;
            }
        }

        return expected;
    }

    private static ShadowComparison ShadowOf(PredictionStatistics statistics, string version)
    {
        if (!statistics.Shadows.TryGetValue(version, out var comparison))
        {
            comparison = new ShadowComparison();
            statistics.Shadows[version] = comparison;
        }

        return comparison;
    }

    // Latencies from sub-microsecond to seconds, in whole ticks, so every histogram region is used.
    private TimeSpan Latency() => TimeSpan.FromTicks((long)Math.Pow(10, Random.NextDouble() * 7.5));
}
