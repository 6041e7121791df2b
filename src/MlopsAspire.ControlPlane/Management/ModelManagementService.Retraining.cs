using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Mlops.V1;
using MlopsAspire.Abstractions.Retraining;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>Retraining requests, runs and policy: the model's retraining grain holds them, training workers act on them.</summary>
public sealed partial class ModelManagementService
{
    /// <summary>Most runs one call returns.</summary>
    public const int MaxRetrainingRuns = 200;

    public override async Task<Mlops.V1.RetrainingRun> RequestRetraining(RequestRetrainingRequest request, ServerCallContext context)
    {
        Model(request.Name);
        var caller = ApiKeyInterceptor.Caller(context);
        var reason = string.IsNullOrWhiteSpace(request.Reason) ? "requested by an operator" : request.Reason;
        var run = await grains.GetGrain<IModelRetrainingGrain>(request.Name)
            .Request(new RetrainingTrigger(RetrainingTrigger.Manual, reason, caller.Name));
        return ToProto(run);
    }

    public override async Task<RetrainingStatus> GetRetraining(GetRetrainingRequest request, ServerCallContext context)
    {
        var model = Model(request.Name);
        if (!await model.ExistsAsync())
        {
            throw new Abstractions.ModelNotFoundException($"Model '{request.Name}' is not registered.");
        }

        if (request.Count is < 0 or > MaxRetrainingRuns)
        {
            throw new ArgumentException($"count must be between 0 (20) and {MaxRetrainingRuns}; got {request.Count}");
        }

        var retraining = grains.GetGrain<IModelRetrainingGrain>(request.Name);
        var status = new RetrainingStatus { ModelName = request.Name, Policy = (await retraining.GetPolicy()).ToProto() };
        status.Runs.AddRange((await retraining.GetRuns(request.Count == 0 ? 20 : request.Count)).Select(ToProto));
        return status;
    }

    public override async Task<RetrainingPolicy> SetRetrainingPolicy(SetRetrainingPolicyRequest request, ServerCallContext context)
    {
        var model = Model(request.Name);
        if (request.Policy is not { } policy)
        {
            throw new ArgumentException("policy is required");
        }

        if (!await model.ExistsAsync())
        {
            throw new Abstractions.ModelNotFoundException($"Model '{request.Name}' is not registered.");
        }

        var retraining = grains.GetGrain<IModelRetrainingGrain>(request.Name);
        await retraining.SetPolicy(PolicyProtoMapping.FromProto(policy));
        return (await retraining.GetPolicy()).ToProto();
    }

    private static Mlops.V1.RetrainingRun ToProto(Abstractions.Retraining.RetrainingRun run)
    {
        var message = new Mlops.V1.RetrainingRun
        {
            RunId = run.RunId,
            ModelName = run.ModelName,
            Trigger = run.Trigger.Kind,
            TriggerDetail = run.Trigger.Detail,
            RequestedBy = run.Trigger.RequestedBy,
            Status = run.Status.ToString().ToLowerInvariant(),
            RequestedAt = Timestamp.FromDateTimeOffset(run.RequestedAt),
            StartedAt = run.StartedAt is { } started ? Timestamp.FromDateTimeOffset(started) : null,
            EndedAt = run.EndedAt is { } ended ? Timestamp.FromDateTimeOffset(ended) : null,
            ParentVersion = run.ParentVersion ?? "",
            CandidateVersion = run.CandidateVersion ?? "",
            Reason = run.Reason ?? "",
            CouldNotStart = run.CouldNotStart,
        };
        message.Steps.AddRange(run.Steps ?? []);
        if (run.Metrics is { } metrics)
        {
            message.Metrics.Add(metrics.ToDictionary());
        }

        return message;
    }
}
