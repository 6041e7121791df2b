using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Monitoring;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// Runs sampled copies of production requests on shadow versions, after the production response is computed
/// and without delaying it: each shadow has a bounded number of copies in flight (a copy beyond it is dropped
/// and counted), each copy has a timeout, and failures are counted, never surfaced. Outputs are compared with
/// production's (label agreement, score differences) into production's statistics; the shadow's own
/// statistics record its latency and inputs. When production's payload was logged, the shadow's scores are
/// logged beside it, so feedback measures the shadow's accuracy on the same requests.
/// </summary>
public sealed class ShadowScorer(InferenceEngine engine, ReplicaMonitoring monitoring, MonitoringOptions options, ILogger logger, PayloadLog? payloads = null)
{
    private readonly ConcurrentDictionary<(string Model, string Version), SemaphoreSlim> _inFlight = new();
    private readonly ShadowOutputComparer _comparer = new();

    /// <param name="payloadLogged">Whether production's payload was logged under the request id (then the shadow's scores are too).</param>
    public void Score(InferenceRequest request, string productionVersion, ScoredRows production, ImmutableArray<ShadowRoute> shadows, VersionStatistics productionStatistics, bool payloadLogged = false)
    {
        foreach (var shadow in shadows)
        {
            if (shadow.Version == productionVersion || Random.Shared.NextDouble() >= shadow.SampleRate)
            {
                continue;
            }

            var gate = _inFlight.GetOrAdd((request.ModelName, shadow.Version), _ => new SemaphoreSlim(options.MaxShadowInFlight));
            if (!gate.Wait(0))
            {
                productionStatistics.Accumulator.RecordShadowDropped(shadow.Version);
                continue;
            }

            // The request's buffers belong to the call, which ends before the copy runs.
            var copy = ScoredRows.CopyForShadow(request, shadow.Version, options.ShadowTimeout);
            var requestId = payloadLogged ? request.Id : null;
            _ = Task.Run(() => RunAsync(copy, shadow.Version, production, productionStatistics, gate, requestId));
        }
    }

    private async Task RunAsync(InferenceRequest copy, string shadowVersion, ScoredRows production, VersionStatistics productionStatistics, SemaphoreSlim gate, string? loggedRequestId)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(options.ShadowTimeout);
            using var response = await engine.InferAsync(copy, timeout.Token);
            var total = Stopwatch.GetElapsedTime(started);
            var shadow = ScoredRows.From(copy, response, withLabels: true);
            var timings = response.Timings;
            monitoring.For(copy.ModelName, shadowVersion).RecordSuccess(
                shadow,
                timings.QueueTime,
                timings.ComputeTime,
                total);
            if (production.Scores.Length == shadow.Scores.Length && production.Scores.Length > 0)
            {
                var comparison = production.Labels is { } productionLabels && shadow.Labels is { } shadowLabels && productionLabels.Length == shadowLabels.Length
                    ? _comparer.Compare(production.Scores, shadow.Scores, productionLabels, shadowLabels)
                    : _comparer.Compare(production.Scores, shadow.Scores);
                productionStatistics.Accumulator.RecordShadow(shadowVersion, comparison);
            }

            if (payloads is not null && !string.IsNullOrEmpty(loggedRequestId) && shadow.Scores.Length > 0)
            {
                payloads.AppendShadowScores(copy.ModelName, shadowVersion, loggedRequestId, DateTimeOffset.UtcNow, shadow.Scores);
            }
        }
        catch (Exception exception)
        {
            productionStatistics.Accumulator.RecordShadowDropped(shadowVersion);
            if (exception is InferenceException { Kind: not InferenceErrorKind.NotFound } failure
                && engine.Repository.TryResolve(copy.ModelName, shadowVersion, out _))
            {
                monitoring.For(copy.ModelName, shadowVersion).Accumulator.RecordFailure(ProtocolErrors.ToStatusCode(failure.Kind).ToString(), Stopwatch.GetElapsedTime(started));
            }
            else if (exception is not InferenceException and not OperationCanceledException)
            {
                logger.LogDebug(exception, "Shadow request to {Model} version {Version} failed", copy.ModelName, shadowVersion);
            }
        }
        finally
        {
            gate.Release();
        }
    }
}
