using System.Diagnostics;
using Microsoft.Extensions.Options;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Pipeline;

/// <summary>
/// What every transport calls to infer: routes an unpinned request to the canary by weight, runs it, and then,
/// off the caller's path as far as possible, reads what monitoring records of it into the request's
/// <see cref="RequestRecord"/> (accounted when the transport has encoded the response), logs its payload for feedback
/// and sends sampled copies to shadow versions. Monitoring never fails or changes a response: its own errors are
/// swallowed and counted.
/// </summary>
public sealed class PredictionPipeline(
    InferenceEngine engine,
    TrafficRoutes traffic,
    ReplicaMonitoring monitoring,
    IOptions<MonitoringOptions> options,
    ILogger<PredictionPipeline> logger,
    IMonitoringSink? sink = null,
    PayloadLogWriter? payloads = null,
    TimeProvider? timeProvider = null) : IDisposable
{
    private readonly ShadowScorer _shadows = new(engine, monitoring, options.Value, logger, payloads, timeProvider);

    // Statistics need somewhere to go: a replica serving a local folder has no monitoring grains.
    private readonly bool _enabled = options.Value.Enabled && sink is not null;

    public InferenceEngine Engine => engine;

    /// <summary>What the system granted the shadow threads; null until a shadow copy has run.</summary>
    public Serving.Threading.LoweredPriority? ShadowThreadPriority => _shadows.ThreadPriority;

    /// <summary>
    /// Runs a request that no transport accounts for (in-process callers): its statistics are recorded as soon as
    /// it is answered, with the pipeline's own latency.
    /// </summary>
    public async ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken)
    {
        var record = new RequestRecord(request.ModelName, request.ModelVersion, protocol: "in-process");
        try
        {
            return await InferAsync(request, record, cancellationToken);
        }
        finally
        {
            try
            {
                monitoring.Record(record, Stopwatch.GetElapsedTime(record.StartedTimestamp));
            }
            catch (Exception exception)
            {
                monitoring.CountFault(exception);
            }
        }
    }

    /// <summary>
    /// Resolves the version once (the canary by weight, else the one the request names) and runs the request on it;
    /// the response says which version answered. What monitoring records of the request goes into
    /// <paramref name="record"/>, for the transport to account once its response is encoded.
    /// </summary>
    public async ValueTask<InferenceResponse> InferAsync(InferenceRequest request, RequestRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var modelTraffic = string.IsNullOrEmpty(request.ModelVersion) ? traffic.For(request.ModelName) : null;
        var routed = request;
        OnnxModel? model = null;
        if (modelTraffic?.Canary is { } canary && Random.Shared.Next(100) < canary.WeightPercent
            && engine.Repository.TryResolve(request.ModelName, canary.Version, out var candidate) && candidate.TryAcquire())
        {
            model = candidate;
            routed = WithVersion(request, canary.Version);
        }

        try
        {
            model ??= engine.Repository.Acquire(request.ModelName, request.ModelVersion);
        }
        catch (InferenceException exception) when (_enabled && exception.Kind != InferenceErrorKind.NotFound
            && engine.Repository.TryResolve(request.ModelName, request.ModelVersion, out var reloading))
        {
            // The version was being reloaded: its failure counts against it like any other.
            record.Failed(reloading, exception.Kind);
            throw;
        }

        InferenceResponse response;
        try
        {
            response = await engine.InferAsync(model, routed, cancellationToken);
        }
        catch (InferenceException exception) when (_enabled && exception.Kind != InferenceErrorKind.NotFound)
        {
            // Only failures of a served version count against it; an unknown model or version is nobody's error rate.
            record.Failed(model, exception.Kind);
            throw;
        }

        record.Answered(response);
        if (_enabled)
        {
            Observe(routed, response, record, shadowsOf: routed == request ? modelTraffic : null);
        }

        return response;
    }

    private void Observe(InferenceRequest request, InferenceResponse response, RequestRecord record, ModelTraffic? shadowsOf)
    {
        try
        {
            var shadows = shadowsOf is { Shadows.IsEmpty: false } && response.ModelVersion != shadowsOf.Canary?.Version
                ? shadowsOf.Shadows
                : [];
            var plan = response.MonitoringPlan;
            var rows = ScoredRows.From(request, response, plan, withLabels: !shadows.IsEmpty);
            var timings = response.Timings;
            var version = monitoring.For(response.ModelName, response.ModelVersion);
            record.Observed(version, rows, plan, timings.QueueTime, timings.ComputeTime);

            var loggedAt = LogPayload(request, response, rows);
            if (!shadows.IsEmpty)
            {
                _shadows.Score(request, response.ModelVersion, rows, plan, shadows, version, loggedAt);
            }
        }
        catch (Exception exception)
        {
            monitoring.CountFault(exception);
        }
    }

    /// <summary>Logs the payload when sampled; returns the time it was logged with, or null when it was not logged.</summary>
    private DateTimeOffset? LogPayload(InferenceRequest request, InferenceResponse response, ScoredRows rows)
    {
        if (payloads is null || string.IsNullOrEmpty(request.Id) || rows.FeatureCount == 0
            || Random.Shared.NextDouble() >= options.Value.PayloadSampleRate)
        {
            return null;
        }

        // Only a copy of the features and a queue slot here; encoding and the store round trip are the writer's.
        // A full queue drops the payload (counted by the writer), and then the shadows' scores are not logged either;
        // so does a payload over the size limit, found before anything is copied.
        if (!payloads.Admits(rows.Features.Length + rows.Scores.Length, request.Id))
        {
            return null;
        }

        var at = DateTimeOffset.UtcNow;
        return payloads.TryAppend(new PayloadRecord(response.ModelName, response.ModelVersion, request.Id, at, rows.FeatureCount, rows.Features.ToArray(), rows.Scores))
            ? at
            : null;
    }

    /// <summary>Stops the shadow threads (queued copies still run).</summary>
    public void Dispose() => _shadows.Dispose();

    internal static InferenceRequest WithVersion(InferenceRequest request, string version) => new()
    {
        ModelName = request.ModelName,
        ModelVersion = version,
        Id = request.Id,
        Inputs = request.Inputs,
        RequestedOutputs = request.RequestedOutputs,
        Priority = request.Priority,
        Timeout = request.Timeout,
        Deadline = request.Deadline,
    };
}
