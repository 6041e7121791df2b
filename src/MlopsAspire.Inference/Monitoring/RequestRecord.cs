using System.Diagnostics;
using MlopsAspire.ModelContracts;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// What one inference request did, gathered as it passes through the host and accounted once, when its response
/// has been encoded (<see cref="RequestAccounting.Complete"/>): the names it gave, the version that answered or failed
/// it, and what monitoring reads of it. The request metric and the version's monitoring window then take the same
/// latency, receipt to encoded response. The engine's own Triton statistics are its separate record.
/// </summary>
public sealed class RequestRecord
{
    /// <param name="requestedModel">The model the request named, as given (it may name nothing served).</param>
    /// <param name="requestedVersion">The version it named; null or empty when it left the choice to the server.</param>
    /// <param name="protocol">Which transport carried it (<c>grpc</c>, <c>grpc-stream</c>, <c>rest</c>).</param>
    public RequestRecord(string? requestedModel, string? requestedVersion, string protocol)
    {
        RequestedModel = requestedModel;
        RequestedVersion = requestedVersion;
        Protocol = protocol;
        StartedTimestamp = Stopwatch.GetTimestamp();
    }

    public string? RequestedModel { get; }

    public string? RequestedVersion { get; }

    public string Protocol { get; }

    /// <summary>When the transport received the request (<see cref="Stopwatch"/> ticks).</summary>
    public long StartedTimestamp { get; }

    /// <summary>The model of the version that answered; null until one did.</summary>
    public string? AnsweredModel { get; private set; }

    /// <summary>The version that answered (the canary's when the request was routed to it); null until one did.</summary>
    public string? AnsweredVersion { get; private set; }

    /// <summary>What monitoring records of an answered request: set only while monitoring is on.</summary>
    internal VersionStatistics? Statistics { get; private set; }

    internal ScoredRows? Rows { get; private set; }

    internal MonitoringPlan? Plan { get; private set; }

    internal TimeSpan QueueTime { get; private set; }

    internal TimeSpan ComputeTime { get; private set; }

    /// <summary>The served version a failure counts against, and its kind: set only while monitoring is on.</summary>
    internal OnnxModel? FailedVersion { get; private set; }

    internal InferenceErrorKind FailureKind { get; private set; }

    internal void Answered(InferenceResponse response) => (AnsweredModel, AnsweredVersion) = (response.ModelName, response.ModelVersion);

    internal void Observed(VersionStatistics statistics, ScoredRows rows, MonitoringPlan plan, TimeSpan queueTime, TimeSpan computeTime)
    {
        Statistics = statistics;
        Rows = rows;
        Plan = plan;
        QueueTime = queueTime;
        ComputeTime = computeTime;
    }

    internal void Failed(OnnxModel version, InferenceErrorKind kind) => (FailedVersion, FailureKind) = (version, kind);
}
