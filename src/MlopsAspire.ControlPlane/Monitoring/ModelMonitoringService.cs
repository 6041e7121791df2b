using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mlops.V1;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.ControlPlane.Management;
using MlopsAspire.Grains.Contracts;
using MlopsAspire.ModelContracts;

namespace MlopsAspire.ControlPlane.Monitoring;

/// <summary>
/// The monitoring API: joins ground truth with logged payloads and hands the outcomes to each version's
/// monitoring grain, and reads statistics, drift and gate verdicts for operators and the CLI.
/// </summary>
public sealed class ModelMonitoringService(IGrainFactory grains, PayloadLog payloads, TimeProvider time) : ModelMonitoring.ModelMonitoringBase
{
    public override async Task<FeedbackResponse> SendFeedback(FeedbackRequest request, ServerCallContext context)
    {
        RequireModelName(request.ModelName);
        if (request.Items.Count == 0 || request.Items.Count > FeedbackRequest.MaxItems)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"a feedback batch carries 1 to {FeedbackRequest.MaxItems} items; got {request.Items.Count}"));
        }

        var modelGrain = grains.GetGrain<IModelGrain>(request.ModelName);
        var model = await modelGrain.ExistsAsync() ? await modelGrain.GetAsync() : null;
        var plans = (model?.Versions ?? []).ToDictionary(version => version.Version, version => version.MonitoringPlan(), StringComparer.Ordinal);

        // Labels are read as the production version's contract says; a model whose labels cannot become live metrics
        // is told why, and nothing is joined.
        var plan = model?.ProductionVersion is { } production ? plans[production] : null;
        if (plan is not null && plan.FeedbackUnusableReason is { } unusable)
        {
            return new FeedbackResponse { Unusable = $"feedback for '{request.ModelName}' is not used: {unusable}" };
        }

        var labels = new List<FeedbackLabel>(request.Items.Count);
        var refused = new List<string>();
        foreach (var item in request.Items)
        {
            if (string.IsNullOrEmpty(item.RequestId) || (item.Labels.Count == 0 && item.ClassLabels.Count == 0))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "each feedback item needs a request_id and at least one label"));
            }

            if (plan is null)
            {
                labels.Add(new FeedbackLabel(item.RequestId, [.. item.Labels]));
            }
            else if (FeedbackLabels.TryRead(plan, item.Labels, item.ClassLabels, out var read, out var error))
            {
                labels.Add(new FeedbackLabel(item.RequestId, read));
            }
            else
            {
                refused.Add($"{(item.RequestId.Length <= 64 ? item.RequestId : item.RequestId[..64] + "…")}: {error}");
            }
        }

        // Versions that may have shadowed the labelled requests: their logged scores are joined with the same labels.
        IReadOnlyCollection<string> shadowCandidates = [.. (model?.Versions ?? [])
            .Where(version => version.State is Abstractions.ModelVersionState.Shadow or Abstractions.ModelVersionState.Canary or Abstractions.ModelVersionState.Production)
            .Select(version => version.Version)];
        var join = await payloads.JoinAsync(request.ModelName, labels, time.GetUtcNow(), shadowCandidates);
        var batchId = string.IsNullOrEmpty(request.BatchId) ? Guid.NewGuid().ToString("N") : request.BatchId;
        var response = new FeedbackResponse { Joined = join.Joined.Count };
        response.UnknownRequestIds.AddRange(join.UnknownRequestIds);
        response.AlreadyLabelledRequestIds.AddRange(join.AlreadyLabelledRequestIds);
        response.Rejected.AddRange(refused);
        response.Rejected.AddRange(join.Rejected);
        foreach (var byVersion in join.Joined.GroupBy(joined => joined.Payload.ModelVersion))
        {
            await RecordAsync(request.ModelName, byVersion.Key, $"{batchId}:{byVersion.Key}", plans, byVersion.Select(joined => (joined.Payload.At, joined.Payload.Scores, joined.Labels)));
            response.JoinedByVersion[byVersion.Key] = byVersion.Count();
        }

        foreach (var byShadow in join.Shadows.GroupBy(shadow => shadow.ShadowVersion))
        {
            await RecordAsync(request.ModelName, byShadow.Key, $"{batchId}:shadow:{byShadow.Key}", plans, byShadow.Select(shadow => (shadow.At, shadow.Scores, shadow.Labels)));
        }

        return response;
    }

    /// <summary>One outcome per labelled row (the prediction monitoring logged against the label), recorded for the version's task.</summary>
    private async Task RecordAsync(
        string modelName, string version, string batchId, Dictionary<string, MonitoringPlan> plans, IEnumerable<(DateTimeOffset At, float[] Predictions, float[] Labels)> rows)
    {
        if (!plans.TryGetValue(version, out var plan) || !plan.HasLiveMetrics || plan.Task is not { } task)
        {
            return;
        }

        var outcomes = new List<LabelledOutcome>();
        foreach (var (at, predictions, labels) in rows)
        {
            for (var row = 0; row < labels.Length && row < predictions.Length; row++)
            {
                outcomes.Add(new LabelledOutcome(at, predictions[row], labels[row]));
            }
        }

        await grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(modelName, version)).RecordOutcomes(batchId, task, outcomes);
    }

    public override async Task<ModelStats> GetStats(GetStatsRequest request, ServerCallContext context)
    {
        RequireModelName(request.ModelName);
        var model = await grains.GetGrain<IModelGrain>(request.ModelName).GetAsync();
        var roles = Roles(model);
        if (!string.IsNullOrEmpty(request.Version))
        {
            if (model.Versions.All(version => version.Version != request.Version))
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"model '{request.ModelName}' has no version '{request.Version}'"));
            }

            roles = roles.Where(pair => pair.Key == request.Version).DefaultIfEmpty(new(request.Version, "not serving")).ToDictionary();
        }

        var span = request.Span is null ? TimeSpan.FromHours(1) : request.Span.ToTimeSpan();
        if (span <= TimeSpan.Zero || span > TimeSpan.FromDays(31))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"span must be between 0 and 31 days; got {span}"));
        }

        var stats = new ModelStats { ModelName = model.Name };
        foreach (var (version, role) in roles)
        {
            var monitor = grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(model.Name, version));
            try
            {
                var versionStats = ToProto(version, role, await monitor.GetSummary(span));
                if (model.Versions.FirstOrDefault(info => info.Version == version) is { } info)
                {
                    var plan = info.MonitoringPlan();
                    versionStats.Task = plan.Task is { } task ? ModelContractReader.NameOf(task) : "";
                    versionStats.Limitations.AddRange(plan.Limitations);
                }

                stats.Versions.Add(versionStats);
            }
            catch (Exception exception) when (StoredStateFailure.Describe(exception) is { } reason)
            {
                // One version's unreadable state must not hide the others' statistics.
                stats.Versions.Add(new VersionStats { Version = version, Role = role, Unavailable = reason });
            }
        }

        return stats;
    }

    public override async Task<GateReports> GetGates(GetGatesRequest request, ServerCallContext context)
    {
        RequireModelName(request.ModelName);
        if (!await grains.GetGrain<IModelGrain>(request.ModelName).ExistsAsync())
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"model '{request.ModelName}' is not registered"));
        }

        var governor = grains.GetGrain<IModelGovernorGrain>(request.ModelName);
        var reports = await governor.Evaluate(act: false);
        var response = new GateReports { ModelName = request.ModelName, Policy = (await governor.GetPolicy()).ToProto() };
        response.Verdicts.AddRange(reports.Select(ToProto));
        return response;
    }

    public override async Task<Mlops.V1.PromotionPolicy> SetPromotionPolicy(SetPromotionPolicyRequest request, ServerCallContext context)
    {
        RequireModelName(request.ModelName);
        if (request.Policy is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "policy is required"));
        }

        if (!await grains.GetGrain<IModelGrain>(request.ModelName).ExistsAsync())
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"model '{request.ModelName}' is not registered"));
        }

        var governor = grains.GetGrain<IModelGovernorGrain>(request.ModelName);
        await governor.SetPolicy(PolicyProtoMapping.FromProto(request.Policy));
        return (await governor.GetPolicy()).ToProto();
    }

    /// <summary>Serving versions by role: production, canary, shadows.</summary>
    private static Dictionary<string, string> Roles(ModelInfo model)
    {
        var roles = new Dictionary<string, string>(StringComparer.Ordinal);
        if (model.ProductionVersion is { } production)
        {
            roles[production] = "production";
        }

        if (model.Canary is { } canary)
        {
            roles[canary.Version] = "canary";
        }

        foreach (var shadow in model.Shadows ?? [])
        {
            roles[shadow.Version] = "shadow";
        }

        return roles;
    }

    private static void RequireModelName(string modelName)
    {
        if (string.IsNullOrWhiteSpace(modelName))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "model_name is required"));
        }
    }

    private static VersionStats ToProto(string version, string role, MonitoringSummary summary)
    {
        var stats = new VersionStats
        {
            Version = version,
            Role = role,
            Requests = summary.RequestCount,
            Rows = summary.RowCount,
            ErrorRate = summary.ErrorRate,
            P50Ms = summary.P50Milliseconds,
            P90Ms = summary.P90Milliseconds,
            P99Ms = summary.P99Milliseconds,
            MeanBatchSize = summary.MeanBatchSize,
            NonFiniteInputs = summary.NonFiniteInputs,
            OutOfRangeInputs = summary.OutOfRangeInputs,
            LabelledRows = summary.LabelledRows,
            Accuracy = summary.Accuracy,
            Auc = summary.Auc,
            LogLoss = summary.LogLoss,
            HasReferenceProfile = summary.HasReferenceProfile,
            MacroF1 = summary.MacroF1,
            Mae = summary.MeanAbsoluteError,
            Rmse = summary.RootMeanSquaredError,
        };
        foreach (var (status, count) in summary.ErrorsByStatus)
        {
            stats.ErrorsByStatus[status] = count;
        }

        if (summary.ReferenceOutcomes is { } reference)
        {
            stats.ReferenceMetrics = new ReferenceMetrics
            {
                LabelledRows = reference.Rows,
                Accuracy = reference.Accuracy,
                Auc = reference.Auc,
                LogLoss = reference.LogLoss,
                MacroF1 = reference.MacroF1,
                Mae = reference.MeanAbsoluteError,
                Rmse = reference.RootMeanSquaredError,
                LastWindow = Timestamp.FromDateTimeOffset(reference.LastWindow),
            };
        }

        if (summary.LastJudgedWindow is { } window)
        {
            stats.LastWindow = Timestamp.FromDateTimeOffset(window.WindowStart);
            stats.LastWindowInsufficient = window.IsInsufficient;
            stats.Features.AddRange(window.Features.Select(ToProto));
            stats.Predictions.AddRange(window.Predictions.Select(ToProto));
        }

        foreach (var distribution in summary.PredictionDistributions ?? [])
        {
            stats.PredictionDistributions.Add(new Mlops.V1.PredictionDistribution
            {
                Name = distribution.Name,
                Edges = { distribution.Edges },
                Counts = { distribution.Counts },
                ReferenceCounts = { distribution.ReferenceCounts },
            });
        }

        foreach (var (shadow, comparison) in summary.Shadows)
        {
            stats.Shadows.Add(new ShadowStats
            {
                ShadowVersion = shadow,
                Compared = comparison.Compared,
                Agreement = comparison.Agreement,
                MeanAbsDelta = comparison.MeanAbsoluteDifference,
                MaxAbsDelta = comparison.MaxAbsoluteDifference,
                Dropped = comparison.Dropped,
            });
        }

        stats.ActiveAlerts.AddRange(summary.ActiveAlerts.Select(alert => new AlertInfo
        {
            At = Timestamp.FromDateTimeOffset(alert.At),
            Kind = alert.Kind.Name(),
            Subject = alert.Subject,
            Raised = alert.Raised,
            Detail = alert.Detail,
        }));
        return stats;
    }

    private static Mlops.V1.FeatureDrift ToProto(FeatureDriftData drift) => new()
    {
        Name = drift.Name,
        Rows = drift.Rows,
        Psi = drift.PopulationStabilityIndex,
        JsDistance = drift.JensenShannonDistance,
        Ks = drift.KolmogorovSmirnov,
        KsPValue = drift.KolmogorovSmirnovPValue,
        Wasserstein = drift.Wasserstein,
        Severity = drift.Severity,
    };

    private static GateVerdict ToProto(GateReport report)
    {
        var verdict = new GateVerdict
        {
            Version = report.Version,
            Role = report.Role,
            BaselineVersion = report.BaselineVersion ?? string.Empty,
            Decided = report.Decided,
            Passed = report.Passed,
            Summary = report.Summary,
            ActionTaken = report.ActionTaken ?? string.Empty,
        };
        verdict.Checks.AddRange(report.Checks.Select(check => new Mlops.V1.GateCheck
        {
            Name = check.Name,
            Passed = check.Passed,
            Skipped = check.Skipped,
            Actual = check.Actual,
            Limit = check.Limit,
            Detail = check.Detail,
        }));
        return verdict;
    }
}
