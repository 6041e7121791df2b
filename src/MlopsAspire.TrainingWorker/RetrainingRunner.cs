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
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Training.Retraining;
using MlopsAspire.Training.Tabular;
using MlopsAspire.Training.Trainers;
using RetrainingRun = MlopsAspire.Abstractions.Retraining.RetrainingRun;
using TrainingDataWindow = MlopsAspire.Abstractions.TrainingDataWindow;

namespace MlopsAspire.TrainingWorker;

/// <summary>
/// One retraining run, step by step, each step a span of the run's trace and an audited progress event: read the
/// parent and the trainer its config names (a run whose config names none this worker has ends as "could not
/// start"), collect labelled rows from the payload log (waiting for enough labels up to the policy's limit), train
/// and check with <see cref="Retrainer"/>, register the candidate with lineage through the management API, and put
/// it in shadow. Any failure ends the run with its reason and leaves production as it was.
/// </summary>
public sealed partial class RetrainingRunner(
    IClusterClient cluster,
    ArtifactStore artifacts,
    PayloadLog payloads,
    ModelManagement.ModelManagementClient management,
    TrainerCatalog trainers,
    IOptions<TrainingWorkerOptions> options,
    TimeProvider time,
    ILogger<RetrainingRunner> logger)
{
    public const string ActivitySourceName = "MlopsAspire.Training";
    public const string MeterName = "MlopsAspire.Training";
    private const int UploadChunkBytes = 1024 * 1024;

    /// <summary>The seed of a run whose parent's lineage records none.</summary>
    private const int DefaultSeed = 42;

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

        // Everything that keeps the run from starting is found before any data is read; such a run starts no cool-down.
        ModelContract contract;
        ITabularTrainer trainer;
        try
        {
            contract = ModelContractReader.Parse(parent.ServingConfigJson, $"version {parent.Version}'s config");
            trainer = trainers.Resolve(contract);
        }
        catch (Exception exception) when (exception is ModelContractException or TrainerUnavailableException)
        {
            return new RetrainingResult(false, $"no trainer for version {parent.Version}: {exception.Message}", CouldNotStart: true);
        }

        var command = (trainer as CommandTrainer)?.CommandName;
        var seed = parent.Lineage?.Seed ?? DefaultSeed;
        var now = time.GetUtcNow();
        var from = run.Trigger.DataFrom is { } since && since > now - policy.DataWindow ? since : now - policy.DataWindow;
        LabelledRows? rows;
        TrainingDataWindow window;
        using (Activities.StartActivity("collect-labelled-rows"))
        {
            (rows, window) = await CollectRowsAsync(run.ModelName, contract.Inputs[0].Features.Count, from, policy, cancellationToken);
            Activity.Current?.SetTag("mlops.rows", rows?.Count ?? 0);
        }

        if (rows is null)
        {
            return new RetrainingResult(false, $"not enough labels: no labelled rows of {contract.Inputs[0].Features.Count} features predicted since {from:u}; need {policy.MinimumRows}");
        }

        await retraining.Progress(run.RunId, "data", $"{rows.Count} labelled rows{Describe(contract, rows)} predicted {window.From:u} to {window.To:u}, parent {parent.Version}, trainer {(command is null ? trainer.Name : $"command '{command}'")}");
        var parentOnnx = await artifacts.ReadAllAsync(parent.ArtifactSha256, cancellationToken);
        RetrainingOutcome outcome;
        using (Activities.StartActivity("train-and-check"))
        {
            Activity.Current?.SetTag("mlops.trainer", trainer.Name);
            var retrainer = new Retrainer(new RetrainingOptions { MinimumRows = policy.MinimumRows });
            outcome = await retrainer.RetrainAsync(contract, parentOnnx, rows, trainer, seed, cancellationToken);
            Activity.Current?.SetTag("mlops.succeeded", outcome.Succeeded);
        }

        if (outcome.Command is { } report)
        {
            await retraining.Progress(run.RunId, "command", report.ToString());
        }

        var metrics = outcome.Metrics();
        metrics["seed"] = seed;
        if (!outcome.Succeeded)
        {
            return new RetrainingResult(false, outcome.Reason, Metrics: metrics);
        }

        await retraining.Progress(run.RunId, "trained", outcome.Reason);
        RegisterModelResponse registered;
        using (Activities.StartActivity("register-candidate"))
        {
            registered = await RegisterAsync(run, parent, trainer, command, seed, outcome, window, metrics, cancellationToken);
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

    private static string Describe(ModelContract contract, LabelledRows rows) => contract.Task switch
    {
        ModelTask.BinaryClassification => $" ({rows.Labels.Count(label => label >= 0.5f)} positive)",
        ModelTask.MulticlassClassification => $" ({rows.Labels.Select(label => (int)label).Distinct().Count()} classes)",
        _ => "",
    };

    /// <summary>
    /// Labelled rows of <paramref name="featureCount"/> features predicted since <paramref name="from"/>, oldest first,
    /// the newest kept up to the cap; waits for more labels while there are fewer than the policy needs and the label
    /// wait has not passed. Null when there are none.
    /// </summary>
    private async Task<(LabelledRows? Rows, TrainingDataWindow Window)> CollectRowsAsync(
        string modelName, int featureCount, DateTimeOffset from, RetrainingPolicyData policy, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + policy.LabelWait;
        while (true)
        {
            var labelled = await payloads.ReadLabelledAsync(modelName, options.Value.MaxLabelledEntries);
            var kept = new List<LabelledPayload>();
            var count = 0;
            foreach (var entry in labelled.Where(entry => entry.Payload.At >= from && entry.Payload.FeatureCount == featureCount).OrderByDescending(entry => entry.Payload.At))
            {
                if (count >= options.Value.MaxTrainingRows)
                {
                    break;
                }

                kept.Add(entry);
                count += Math.Min(entry.Labels.Length, entry.Payload.RowCount);
            }

            if (count >= policy.MinimumRows || time.GetUtcNow() >= deadline)
            {
                if (count == 0)
                {
                    return (null, new TrainingDataWindow(from, time.GetUtcNow()));
                }

                kept.Reverse();
                var features = new List<float>(count * featureCount);
                var labels = new List<float>(count);
                foreach (var entry in kept)
                {
                    var rows = Math.Min(entry.Labels.Length, entry.Payload.RowCount);
                    features.AddRange(entry.Payload.Features.AsSpan(0, rows * featureCount));
                    labels.AddRange(entry.Labels.AsSpan(0, rows));
                }

                return (new LabelledRows(featureCount, [.. features], [.. labels]), new TrainingDataWindow(kept[0].Payload.At, kept[^1].Payload.At));
            }

            await Task.Delay(options.Value.LabelPollInterval, time, cancellationToken);
        }
    }

    private async Task<RegisterModelResponse> RegisterAsync(
        RetrainingRun run, ModelVersionInfo parent, ITabularTrainer trainer, string? command, int seed, RetrainingOutcome outcome,
        TrainingDataWindow window, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken)
    {
        var onnx = outcome.OnnxModel!;
        var lineage = new Lineage
        {
            ParentVersion = parent.Version,
            TrainingData = new Mlops.V1.TrainingDataWindow { From = Timestamp.FromDateTimeOffset(window.From), To = Timestamp.FromDateTimeOffset(window.To) },
            Trainer = trainer.Name,
            Command = command ?? "",
            Seed = seed,
            TrainingRows = outcome.TrainingRows,
            Trigger = $"run {run.RunId}: {run.Trigger}",
            ReferenceProfile = ToProto(MonitoringMapper.ToMessage(outcome.Profile!, $"training rows of run {run.RunId}")),
        };
        lineage.Parameters.Add(outcome.Parameters.ToDictionary());
        var metadata = new RegisterModelMetadata
        {
            Name = run.ModelName,
            Description = CandidateDescription(parent.Description, parent.Version, outcome.TrainingRows),
            Owner = parent.Owner ?? "",
            Size = onnx.Length,
            Sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(onnx)),
            Framework = command is null ? $"{trainer.Name}/onnx" : "onnx",
            Lineage = lineage,
            // The candidate has its parent's signature, so its parent's contract (and how to retrain it) holds for it too.
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

    /// <summary>
    /// A candidate's description: the words its lineage started with, then where it came from. A parent that was itself
    /// retrained passes on its first words only, so the description does not grow by a clause every generation.
    /// </summary>
    public static string CandidateDescription(string? parentDescription, string parentVersion, long trainingRows)
    {
        const string Retrained = "retrained from version ";
        var origin = parentDescription ?? "";
        if (origin.StartsWith(Retrained, StringComparison.Ordinal))
        {
            origin = "";
        }
        else if (origin.IndexOf(" — " + Retrained, StringComparison.Ordinal) is >= 0 and var earlier)
        {
            origin = origin[..earlier];
        }

        var provenance = $"{Retrained}{parentVersion} on {trainingRows} labelled production rows";
        return origin.Length == 0 ? provenance : $"{origin} — {provenance}";
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
