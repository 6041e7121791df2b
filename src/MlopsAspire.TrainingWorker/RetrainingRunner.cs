using System.Diagnostics;
using System.Diagnostics.Metrics;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Mlops.V1;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.Artifacts;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Training;
using MlopsAspire.Training.Retraining;
using RetrainingRun = MlopsAspire.Abstractions.Retraining.RetrainingRun;
using TrainingDataWindow = MlopsAspire.Abstractions.TrainingDataWindow;

namespace MlopsAspire.TrainingWorker;

/// <summary>
/// One retraining run, step by step, each step a span of the run's trace and an audited progress event: read the
/// parent and the pipeline its lineage records, collect labelled rows from the payload log (waiting for enough
/// labels up to the policy's limit), train and check with <see cref="FraudRetrainer"/>, register the candidate
/// with lineage through the management API, and put it in shadow. Any failure ends the run with its reason and
/// leaves production as it was.
/// </summary>
public sealed partial class RetrainingRunner(
    IClusterClient cluster,
    ArtifactStore artifacts,
    PayloadLog payloads,
    ModelManagement.ModelManagementClient management,
    IOptions<TrainingWorkerOptions> options,
    TimeProvider time,
    ILogger<RetrainingRunner> logger)
{
    public const string ActivitySourceName = "MlopsAspire.Training";
    public const string MeterName = "MlopsAspire.Training";
    private const int UploadChunkBytes = 1024 * 1024;

    private static readonly ActivitySource Activities = new(ActivitySourceName);
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("mlops.training.runs", description: "Retraining runs by model and outcome");
    private static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("mlops.training.run.duration", unit: "s", description: "Retraining run duration");

    public async Task<RetrainingRun> RunAsync(IModelRetrainingGrain retraining, RetrainingRun run, CancellationToken cancellationToken)
    {
        using var activity = Activities.StartActivity("retrain", ActivityKind.Internal);
        activity?.SetTag("mlops.model", run.ModelName);
        activity?.SetTag("mlops.run", run.RunId);
        activity?.SetTag("mlops.trigger", run.Trigger.Kind);
        var started = time.GetTimestamp();
        RetrainingResult result;
        try
        {
            result = await ExecuteAsync(retraining, run, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = new RetrainingResult(false, "the worker stopped during the run");
        }
        catch (RpcException exception)
        {
            result = new RetrainingResult(false, $"the management API refused: {exception.Status.StatusCode}: {exception.Status.Detail}");
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or IOException or InvalidDataException or ModelNotFoundException)
        {
            result = new RetrainingResult(false, exception.Message);
        }

        activity?.SetTag("mlops.outcome", result.Succeeded ? "succeeded" : "failed");
        activity?.SetStatus(result.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error, result.Reason);
        Runs.Add(1, new("model", run.ModelName), new("outcome", result.Succeeded ? "succeeded" : "failed"));
        RunDuration.Record(time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("model", run.ModelName));
        LogRunEnded(run.RunId, run.ModelName, result.Succeeded, result.Reason);
        return await retraining.Complete(run.RunId, result);
    }

    private async Task<RetrainingResult> ExecuteAsync(IModelRetrainingGrain retraining, RetrainingRun run, CancellationToken cancellationToken)
    {
        var policy = await retraining.GetPolicy();
        var model = cluster.GetGrain<IModelGrain>(run.ModelName);
        var parentVersion = run.ParentVersion ?? (await model.GetAsync()).ProductionVersion
            ?? throw new InvalidOperationException($"model '{run.ModelName}' has no production version to retrain from");
        var parent = await model.GetVersionAsync(parentVersion);
        if (!IsFraudPipeline(parent))
        {
            return new RetrainingResult(false, $"no trainer for version {parent.Version} (framework '{parent.Framework}', trainer '{parent.Lineage?.Trainer ?? "unrecorded"}'); only the {FraudTrainingOptions.Trainer} pipeline can be retrained");
        }

        var trainingOptions = FraudTrainingOptions.FromParameters(parent.Lineage?.Parameters, parent.Lineage?.Seed);

        var now = time.GetUtcNow();
        var from = run.Trigger.DataFrom is { } since && since > now - policy.DataWindow ? since : now - policy.DataWindow;
        List<FraudTransaction> rows;
        TrainingDataWindow window;
        using (Activities.StartActivity("collect-labelled-rows"))
        {
            (rows, window) = await CollectRowsAsync(run.ModelName, from, policy, cancellationToken);
            Activity.Current?.SetTag("mlops.rows", rows.Count);
        }

        await retraining.Progress(run.RunId, "data", $"{rows.Count} labelled rows ({rows.Count(row => row.IsFraud)} positive) predicted {window.From:u} to {window.To:u}, parent {parent.Version}");
        var parentOnnx = await artifacts.ReadAllAsync(parent.ArtifactSha256, cancellationToken);
        RetrainingOutcome outcome;
        using (Activities.StartActivity("train-and-check"))
        {
            var retrainer = new FraudRetrainer(new RetrainingOptions { MinimumRows = policy.MinimumRows });
            outcome = await Task.Run(() => retrainer.Retrain(rows, parentOnnx, trainingOptions), cancellationToken);
            Activity.Current?.SetTag("mlops.succeeded", outcome.Succeeded);
        }

        var metrics = Metrics(outcome);
        if (!outcome.Succeeded)
        {
            return new RetrainingResult(false, outcome.Reason, Metrics: metrics);
        }

        await retraining.Progress(run.RunId, "trained", outcome.Reason);
        RegisterModelResponse registered;
        using (Activities.StartActivity("register-candidate"))
        {
            registered = await RegisterAsync(run, parent, outcome, window, metrics, cancellationToken);
        }

        var candidate = registered.Version.Version;
        if (registered.Version.State != Mlops.V1.ModelVersionState.Ready)
        {
            return new RetrainingResult(false, $"candidate version {candidate} is {registered.Version.State} after registration: {registered.Version.Validation?.Detail}", candidate, metrics);
        }

        await retraining.Progress(run.RunId, "registered", $"candidate version {candidate}");
        using (Activities.StartActivity("shadow-candidate"))
        {
            await management.SetShadowAsync(new SetShadowRequest
            {
                Name = run.ModelName,
                Version = candidate,
                SampleRate = policy.ShadowSampleRate,
                Reason = $"retraining run {run.RunId}: the promotion gates decide",
            }, cancellationToken: cancellationToken);
        }

        return new RetrainingResult(true, outcome.Reason, candidate, metrics);
    }

    private static bool IsFraudPipeline(ModelVersionInfo version) =>
        version.Lineage?.Trainer == FraudTrainingOptions.Trainer
        || (version.Lineage?.Trainer is null && version.Framework == "mlnet-fasttree/onnx");

    /// <summary>
    /// Labelled rows predicted since <paramref name="from"/>, newest first up to the cap; waits for more labels while
    /// there are fewer than the policy needs and the label wait has not passed.
    /// </summary>
    private async Task<(List<FraudTransaction> Rows, TrainingDataWindow Window)> CollectRowsAsync(
        string modelName, DateTimeOffset from, RetrainingPolicyData policy, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + policy.LabelWait;
        while (true)
        {
            var labelled = await payloads.ReadLabelledAsync(modelName, options.Value.MaxLabelledEntries);
            var rows = new List<FraudTransaction>();
            DateTimeOffset earliest = DateTimeOffset.MaxValue, latest = DateTimeOffset.MinValue;
            foreach (var entry in labelled)
            {
                var payload = entry.Payload;
                if (payload.At < from || payload.FeatureCount != FraudFeatures.Count)
                {
                    continue;
                }

                for (var row = 0; row < entry.Labels.Length && rows.Count < options.Value.MaxTrainingRows; row++)
                {
                    rows.Add(new FraudTransaction(payload.Features.AsSpan(row * payload.FeatureCount, payload.FeatureCount).ToArray(), entry.Labels[row] >= 0.5f));
                }

                earliest = payload.At < earliest ? payload.At : earliest;
                latest = payload.At > latest ? payload.At : latest;
            }

            if (rows.Count >= policy.MinimumRows || time.GetUtcNow() >= deadline)
            {
                return (rows, rows.Count == 0 ? new TrainingDataWindow(from, time.GetUtcNow()) : new TrainingDataWindow(earliest, latest));
            }

            await Task.Delay(options.Value.LabelPollInterval, time, cancellationToken);
        }
    }

    private async Task<RegisterModelResponse> RegisterAsync(
        RetrainingRun run, ModelVersionInfo parent, RetrainingOutcome outcome, TrainingDataWindow window, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken)
    {
        var onnx = outcome.OnnxModel!;
        var lineage = new Lineage
        {
            ParentVersion = parent.Version,
            TrainingData = new Mlops.V1.TrainingDataWindow { From = Timestamp.FromDateTimeOffset(window.From), To = Timestamp.FromDateTimeOffset(window.To) },
            Trainer = FraudTrainingOptions.Trainer,
            Seed = outcome.Options.Seed,
            TrainingRows = outcome.TrainingRows,
            Trigger = $"run {run.RunId}: {run.Trigger}",
            ReferenceProfile = ToProto(MonitoringMapper.ToMessage(outcome.Profile!, $"training rows of run {run.RunId}")),
        };
        lineage.Parameters.Add(outcome.Options.ToParameters().ToDictionary());
        var metadata = new RegisterModelMetadata
        {
            Name = run.ModelName,
            Description = $"{parent.Description} — retrained from version {parent.Version} on {outcome.TrainingRows} labelled production rows",
            Owner = parent.Owner ?? "",
            Size = onnx.Length,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(onnx)),
            Framework = parent.Framework,
            Lineage = lineage,
            ServingConfigJson = parent.ServingConfigJson ?? "",
        };
        metadata.OfflineMetrics.Add(metrics.ToDictionary());

        using var call = management.RegisterModel(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new RegisterModelRequest { Metadata = metadata }, cancellationToken);
        for (var offset = 0; offset < onnx.Length; offset += UploadChunkBytes)
        {
            var length = Math.Min(UploadChunkBytes, onnx.Length - offset);
            await call.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = ByteString.CopyFrom(onnx, offset, length) }, cancellationToken);
        }

        await call.RequestStream.CompleteAsync();
        return await call;
    }

    private static Dictionary<string, double> Metrics(RetrainingOutcome outcome)
    {
        var metrics = new Dictionary<string, double> { ["training_rows"] = outcome.TrainingRows, ["seed"] = outcome.Options.Seed };
        if (outcome.CandidateMetrics is { } candidate)
        {
            metrics["auc"] = candidate.Auc;
            metrics["accuracy"] = candidate.Accuracy;
            metrics["log_loss"] = candidate.LogLoss;
            metrics["f1"] = candidate.F1;
            metrics["holdout_rows"] = candidate.Rows;
        }

        if (outcome.ParentMetrics is { } parent)
        {
            metrics["parent_auc"] = parent.Auc;
            metrics["parent_accuracy"] = parent.Accuracy;
        }

        if (!double.IsNaN(outcome.ParityMaxDifference))
        {
            metrics["onnx_parity_max_difference"] = outcome.ParityMaxDifference;
        }

        return metrics;
    }

    private static ReferenceProfile ToProto(ReferenceProfileData profile)
    {
        var message = new ReferenceProfile { RowCount = profile.RowCount, Source = profile.Source };
        message.Features.AddRange(profile.Features.Select(ToProto));
        message.Predictions.AddRange(profile.Predictions.Select(ToProto));
        return message;
    }

    private static FeatureProfile ToProto(FeatureProfileData feature)
    {
        var message = new FeatureProfile
        {
            Name = feature.Name,
            Mean = feature.Mean,
            StandardDeviation = feature.StandardDeviation,
            Minimum = feature.Minimum,
            Maximum = feature.Maximum,
        };
        message.Edges.AddRange(feature.Edges);
        message.Counts.AddRange(feature.ReferenceCounts);
        return message;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retraining run {Run} of {Model} ended: succeeded {Succeeded}: {Reason}")]
    private partial void LogRunEnded(string run, string model, bool succeeded, string reason);
}
