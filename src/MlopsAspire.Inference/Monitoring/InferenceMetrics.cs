using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Inference.Models;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// OpenTelemetry instruments of the inference tier (meter <c>MlopsAspire.Inference</c>):
/// <c>mlops.inference.requests</c> counts inference requests and <c>mlops.inference.duration</c> records their
/// total latency in seconds (receipt to encoded response), both tagged <c>model</c>, <c>version</c>, <c>status</c>
/// (a gRPC status code name, also for REST, so that one query covers every transport) and <c>protocol</c>
/// (grpc, grpc-stream or rest). Requests for models this replica does not serve are tagged <c>model=unknown</c>
/// so that arbitrary names cannot grow the tag set. With a payload log, <c>mlops.inference.payload_log.dropped</c>
/// counts payloads dropped because the log's queue was full, <c>mlops.inference.payload_log.failed</c> those
/// the store did not take, <c>mlops.inference.payload_log.refused</c> (by <c>reason</c>: too_large, over_budget,
/// duplicate_id) those served but not logged, and <c>mlops.inference.payload_log.join_window</c> (per model) how long feedback can
/// still join a payload logged now. <c>mlops.inference.versions</c> counts the versions this replica was asked to
/// serve by <c>state</c> (loaded, loading, failed), and <c>mlops.inference.version.load_failures</c> the failed
/// attempts to load each. With monitoring, <c>mlops.inference.monitoring.faults</c> counts the monitoring errors kept
/// from callers, <c>mlops.inference.monitoring.snapshots.pending</c> the statistics snapshots held for the monitoring grains
/// (they grow while the control plane is unreachable and drain when it is back), and
/// <c>mlops.inference.monitoring.snapshots.dropped</c> those given up because too many were held.
/// </summary>
public sealed class InferenceMetrics
{
    public const string MeterName = "MlopsAspire.Inference";
    public const string UnknownTag = "unknown";

    private static readonly string[] StatusNames = [.. Enumerable.Range(0, 17).Select(code => ((StatusCode)code).ToString())];

    private readonly ModelRepository _repository;
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public InferenceMetrics(IMeterFactory meterFactory, ModelRepository repository, PayloadLogWriter? payloadLog = null, VersionLoadStates? loads = null, ReplicaMonitoring? monitoring = null)
    {
        _repository = repository;
        var meter = meterFactory.Create(MeterName);
        if (monitoring is not null)
        {
            meter.CreateObservableCounter("mlops.inference.monitoring.faults", () => monitoring.Faults, unit: "{fault}", description: "Monitoring errors kept from callers: the requests were answered, their statistics not recorded.");
            meter.CreateObservableGauge("mlops.inference.monitoring.snapshots.pending", () => monitoring.SnapshotsPending, unit: "{snapshot}", description: "Statistics snapshots held for the monitoring grains, not yet delivered.");
            meter.CreateObservableCounter("mlops.inference.monitoring.snapshots.dropped", () => monitoring.SnapshotsDropped, unit: "{snapshot}", description: "Statistics snapshots given up because too many were held while the control plane was unreachable.");
        }

        if (loads is not null)
        {
            // Versions are the ones this replica was asked to serve, so the tag sets stay bounded by the routing table.
            meter.CreateObservableGauge(
                "mlops.inference.versions",
                () => loads.Snapshot()
                    .GroupBy(load => load.State)
                    .Select(group => new Measurement<int>(group.Count(), new KeyValuePair<string, object?>("state", StateTag(group.Key)))),
                unit: "{version}",
                description: "Versions this replica was asked to serve, by state: loaded, loading, failed.");
            meter.CreateObservableCounter(
                "mlops.inference.version.load_failures",
                () => loads.Snapshot()
                    .Where(load => load.TotalFailures > 0)
                    .Select(load => new Measurement<long>(
                        load.TotalFailures,
                        new KeyValuePair<string, object?>("model", load.Model),
                        new KeyValuePair<string, object?>("version", load.Version))),
                unit: "{failure}",
                description: "Failed attempts to load a version, by model and version.");
        }

        if (payloadLog is not null)
        {
            meter.CreateObservableCounter("mlops.inference.payload_log.dropped", () => payloadLog.Dropped, unit: "{payload}", description: "Logged payloads dropped because the payload log's queue was full.");
            meter.CreateObservableCounter("mlops.inference.payload_log.failed", () => payloadLog.Failed, unit: "{payload}", description: "Logged payloads the store did not take.");
            meter.CreateObservableCounter(
                "mlops.inference.payload_log.refused",
                () => new[]
                {
                    new Measurement<long>(payloadLog.TooLarge, new KeyValuePair<string, object?>("reason", "too_large")),
                    new Measurement<long>(payloadLog.OverBudget, new KeyValuePair<string, object?>("reason", "over_budget")),
                    new Measurement<long>(payloadLog.Duplicates, new KeyValuePair<string, object?>("reason", "duplicate_id")),
                },
                unit: "{payload}",
                description: "Payloads served but not logged, by reason: over the size limit, over the model's byte budget, or under a request id already waiting.");
            // Models are the ones this replica logged, so the tag set stays bounded by what is served.
            meter.CreateObservableGauge(
                "mlops.inference.payload_log.join_window",
                () => payloadLog.Log.PendingWindows.Select(window => new Measurement<double>(window.Value.TotalSeconds, new KeyValuePair<string, object?>("model", window.Key))),
                unit: "s",
                description: "How long feedback can still join a payload logged now: the join window, shorter while a model is logged faster than the pending-entries cap allows.");
        }

        _requests = meter.CreateCounter<long>("mlops.inference.requests", unit: "{request}", description: "Inference requests by model, version, status and protocol.");
        _duration = meter.CreateHistogram(
            "mlops.inference.duration",
            unit: "s",
            description: "Total inference request latency from receipt to encoded response.",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
    }

    private static string StateTag(VersionLoadState state) => state switch
    {
        VersionLoadState.Loaded => "loaded",
        VersionLoadState.Loading => "loading",
        _ => "failed",
    };

    /// <summary>
    /// Records one request under the version that answered it (the record's answered names, set once by the pipeline);
    /// a request that failed before a version answered is recorded under the names it gave, resolved here against
    /// what is served so that arbitrary names do not become tags.
    /// </summary>
    /// <param name="duration">Receipt to encoded response, as <see cref="RequestAccounting"/> measured it.</param>
    public void RecordRequest(RequestRecord record, StatusCode status, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(record);
        var (model, version) = record.AnsweredModel is { } answeredModel && record.AnsweredVersion is { } answeredVersion
            ? (answeredModel, answeredVersion)
            : ResolveTags(record.RequestedModel ?? "", record.RequestedVersion);
        var tags = new TagList
        {
            { "model", model },
            { "version", version },
            { "status", StatusName(status) },
            { "protocol", record.Protocol },
        };
        _requests.Add(1, tags);
        _duration.Record(duration.TotalSeconds, tags);
    }

    private static string StatusName(StatusCode status) =>
        (uint)status < (uint)StatusNames.Length ? StatusNames[(int)status] : status.ToString();

    private (string Model, string Version) ResolveTags(string modelName, string? modelVersion) =>
        _repository.TryResolve(modelName, modelVersion, out var model)
            ? (model.Name, model.Version)
            : _repository.GetVersions(modelName).Count > 0
                ? (modelName, UnknownTag)
                : (UnknownTag, UnknownTag);
}
