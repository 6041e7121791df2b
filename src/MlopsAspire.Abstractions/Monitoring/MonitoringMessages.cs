using MlopsAspire.ModelContracts;

namespace MlopsAspire.Abstractions.Monitoring;

/// <summary>
/// One replica's statistics of one model version for one interval, as sent to its monitoring grain. Compact
/// (histograms as count arrays, latency buckets sparse) and mergeable; the replica id and sequence make a
/// retried delivery recognisable. While a version has no reference profile, replicas also send a sample of
/// input rows (<see cref="SampleRows"/>) from which the grain builds one.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record MonitoringSnapshot(
    [property: Id(0)] string ReplicaId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] DateTimeOffset IntervalStart,
    [property: Id(3)] DateTimeOffset IntervalEnd,
    [property: Id(4)] long RequestCount,
    [property: Id(5)] long RowCount,
    [property: Id(6)] IReadOnlyDictionary<string, long> ErrorsByStatus,
    [property: Id(7)] LatencyHistogramData QueueLatency,
    [property: Id(8)] LatencyHistogramData ComputeLatency,
    [property: Id(9)] LatencyHistogramData TotalLatency,
    [property: Id(10)] long[] BatchSizes,
    [property: Id(11)] long[][] FeatureCounts,
    [property: Id(12)] long[][] PredictionCounts,
    [property: Id(13)] long NonFiniteInputs,
    [property: Id(14)] long OutOfRangeInputs,
    [property: Id(15)] IReadOnlyDictionary<string, ShadowComparisonData> Shadows,
    [property: Id(16)] float[][]? SampleRows = null,
    [property: Id(17)] IReadOnlyList<string>? FeatureNames = null,
    [property: Id(18)] OutcomeData? Outcomes = null,
    [property: Id(19)] float[]? SamplePredictions = null);

/// <summary>
/// Ground-truth outcomes (see the monitoring library's OutcomeStatistics): counts, log-loss sum and score histograms
/// per class of a binary classifier, the confusion matrix of a multiclass one, the error sums of a regression.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record OutcomeData(
    [property: Id(0)] long Count,
    [property: Id(1)] long Correct,
    [property: Id(2)] double LogLossSum,
    [property: Id(3)] long[] PositiveScores,
    [property: Id(4)] long[] NegativeScores,
    [property: Id(5)] int Classes = 0,
    [property: Id(6)] long[]? Confusion = null,
    [property: Id(7)] long RegressionCount = 0,
    [property: Id(8)] double SumAbsoluteError = 0,
    [property: Id(9)] double SumSquaredError = 0);

/// <summary>
/// One labelled row of a version: when it was predicted, the prediction monitoring recorded (a binary classifier's
/// score, a multiclass one's class index, a regression's value) and the true label read as the contract says (0 or 1,
/// a class index, the true value).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LabelledOutcome(
    [property: Id(0)] DateTimeOffset PredictedAt,
    [property: Id(1)] float Prediction,
    [property: Id(2)] float Label);

/// <summary>A latency histogram's non-empty buckets (index → count), with the sum and maximum in microseconds.</summary>
[GenerateSerializer, Immutable]
public sealed record LatencyHistogramData(
    [property: Id(0)] int[] Buckets,
    [property: Id(1)] long[] Counts,
    [property: Id(2)] double SumMicroseconds,
    [property: Id(3)] double MaxMicroseconds);

/// <summary>A feature's (or prediction's) reference bins and moments; see the monitoring library's FeatureProfile.</summary>
[GenerateSerializer, Immutable]
public sealed record FeatureProfileData(
    [property: Id(0)] string Name,
    [property: Id(1)] double[] Edges,
    [property: Id(2)] long[] ReferenceCounts,
    [property: Id(3)] double Mean,
    [property: Id(4)] double StandardDeviation,
    [property: Id(5)] double Minimum,
    [property: Id(6)] double Maximum);

/// <summary>The reference profile of a model version: what its inputs and predictions looked like in training data.</summary>
[GenerateSerializer, Immutable]
public sealed record ReferenceProfileData(
    [property: Id(0)] IReadOnlyList<FeatureProfileData> Features,
    [property: Id(1)] IReadOnlyList<FeatureProfileData> Predictions,
    [property: Id(2)] long RowCount,
    [property: Id(3)] string Source);

/// <summary>Drift of one feature or prediction in one judged window.</summary>
[GenerateSerializer, Immutable]
public sealed record FeatureDriftData(
    [property: Id(0)] string Name,
    [property: Id(1)] long Rows,
    [property: Id(2)] double PopulationStabilityIndex,
    [property: Id(3)] double JensenShannonDistance,
    [property: Id(4)] double KolmogorovSmirnov,
    [property: Id(5)] double KolmogorovSmirnovPValue,
    [property: Id(6)] double Wasserstein,
    [property: Id(7)] string Severity);

/// <summary>A monitoring alert: raised when a feature or prediction reaches alert severity, cleared when it recovers.</summary>
[GenerateSerializer, Immutable]
public sealed record MonitoringAlert(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string ModelName,
    [property: Id(2)] string ModelVersion,
    [property: Id(3)] AlertKind Kind,
    [property: Id(4)] string Subject,
    [property: Id(5)] bool Raised,
    [property: Id(6)] string Detail);

/// <summary>What a model version's monitoring knows over a span of recent windows.</summary>
[GenerateSerializer, Immutable]
public sealed record MonitoringSummary(
    [property: Id(0)] string ModelName,
    [property: Id(1)] string ModelVersion,
    [property: Id(2)] DateTimeOffset? Since,
    [property: Id(3)] long RequestCount,
    [property: Id(4)] long RowCount,
    [property: Id(5)] double ErrorRate,
    [property: Id(6)] IReadOnlyDictionary<string, long> ErrorsByStatus,
    [property: Id(7)] double P50Milliseconds,
    [property: Id(8)] double P90Milliseconds,
    [property: Id(9)] double P99Milliseconds,
    [property: Id(10)] double MeanBatchSize,
    [property: Id(11)] long NonFiniteInputs,
    [property: Id(12)] long OutOfRangeInputs,
    [property: Id(13)] IReadOnlyDictionary<string, ShadowComparisonData> Shadows,
    [property: Id(14)] WindowReport? LastJudgedWindow,
    [property: Id(15)] IReadOnlyList<MonitoringAlert> ActiveAlerts,
    [property: Id(16)] bool HasReferenceProfile,
    [property: Id(17)] long LabelledRows = 0,
    [property: Id(18)] double Accuracy = double.NaN,
    [property: Id(19)] double Auc = double.NaN,
    [property: Id(20)] double LogLoss = double.NaN,
    [property: Id(21)] DateTimeOffset? FirstWindow = null,
    [property: Id(22)] double MacroF1 = double.NaN,
    [property: Id(23)] double MeanAbsoluteError = double.NaN,
    [property: Id(24)] double RootMeanSquaredError = double.NaN,
    [property: Id(25)] ReferenceOutcomes? ReferenceOutcomes = null,
    [property: Id(26)] IReadOnlyList<PredictionDistributionData>? PredictionDistributions = null);

/// <summary>
/// A prediction output's counts over a span on its reference profile's bins, beside the reference's counts (see the
/// monitoring library's PredictionDistribution).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record PredictionDistributionData(
    [property: Id(0)] string Name,
    [property: Id(1)] double[] Edges,
    [property: Id(2)] long[] Counts,
    [property: Id(3)] long[] ReferenceCounts);
