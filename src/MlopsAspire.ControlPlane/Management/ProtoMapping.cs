using Google.Protobuf.WellKnownTypes;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Grains.Contracts;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Mapping;
using Proto = Mlops.V1;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>Between the grains' records and the <c>mlops.v1</c> messages.</summary>
public static class ProtoMapping
{
    public static Proto.Model ToProto(this ModelInfo model)
    {
        var message = new Proto.Model
        {
            Name = model.Name,
            Revision = model.Revision,
            ProductionVersion = model.ProductionVersion ?? "",
            Canary = model.Canary is { } canary ? new Proto.CanaryAlias { Version = canary.Version, WeightPercent = canary.WeightPercent } : null,
        };
        message.Shadows.AddRange((model.Shadows ?? []).Select(s => new Proto.ShadowAlias { Version = s.Version, SampleRate = s.SampleRate }));
        message.Versions.AddRange(model.Versions.Select(ToProto));
        message.ProductionHistory.AddRange(model.ProductionHistory ?? []);
        return message;
    }

    public static Proto.ModelVersion ToProto(this ModelVersionInfo version)
    {
        var message = new Proto.ModelVersion
        {
            ModelName = version.ModelName,
            Version = version.Version,
            State = version.State.ToProto(),
            ArtifactSha256 = version.ArtifactSha256,
            ArtifactSize = version.ArtifactSize,
            Framework = version.Framework,
            Description = version.Description,
            Owner = version.Owner ?? "",
            RegisteredBy = version.RegisteredBy,
            RegisteredAt = Timestamp.FromDateTimeOffset(version.RegisteredAt),
            Signature = version.Signature?.ToProto(),
            ServingConfigJson = version.ServingConfigJson ?? "",
        };
        message.OfflineMetrics.Add(version.OfflineMetrics.ToDictionary());
        var plan = version.MonitoringPlan();
        message.Task = plan.Task is { } task ? ModelContractReader.NameOf(task) : "";
        message.MonitoringLimitations.AddRange(plan.Limitations);
        if (version.Validation is { } validation)
        {
            message.Validation = new Proto.ValidationReport { Passed = validation.Passed, Detail = validation.Detail };
            message.Validation.Inputs.AddRange(validation.Inputs.Select(ToProto));
            message.Validation.Outputs.AddRange(validation.Outputs.Select(ToProto));
            message.Validation.LatencyMsByBatchSize.Add(validation.LatencyMillisecondsByBatchSize.ToDictionary());
        }

        if (version.Lineage is { } lineage)
        {
            message.Lineage = new Proto.Lineage
            {
                ParentVersion = lineage.ParentVersion ?? "",
                TrainingData = lineage.TrainingData is { } window
                    ? new Proto.TrainingDataWindow { From = Timestamp.FromDateTimeOffset(window.From), To = Timestamp.FromDateTimeOffset(window.To) }
                    : null,
                HasReferenceProfile = lineage.Reference is not null,
                Trainer = lineage.Trainer ?? "",
                TrainingRows = lineage.TrainingRows,
                Trigger = lineage.Trigger ?? "",
                Command = lineage.Command ?? "",
            };
            if (lineage.Seed is { } seed)
            {
                message.Lineage.Seed = seed;
            }

            if (lineage.Parameters is { } parameters)
            {
                message.Lineage.Parameters.Add(parameters.ToDictionary());
            }
        }

        return message;
    }

    public static Proto.ModelVersionState ToProto(this ModelVersionState state) => state switch
    {
        ModelVersionState.Registered => Proto.ModelVersionState.Registered,
        ModelVersionState.Validating => Proto.ModelVersionState.Validating,
        ModelVersionState.Ready => Proto.ModelVersionState.Ready,
        ModelVersionState.Failed => Proto.ModelVersionState.Failed,
        ModelVersionState.Shadow => Proto.ModelVersionState.Shadow,
        ModelVersionState.Canary => Proto.ModelVersionState.Canary,
        ModelVersionState.Production => Proto.ModelVersionState.Production,
        ModelVersionState.Retired => Proto.ModelVersionState.Retired,
        _ => Proto.ModelVersionState.Unspecified,
    };

    public static Proto.ModelSignature ToProto(this ModelSignature signature)
    {
        var message = new Proto.ModelSignature();
        message.Inputs.AddRange(signature.Inputs.Select(ToProto));
        message.Outputs.AddRange(signature.Outputs.Select(ToProto));
        return message;
    }

    public static Proto.TensorSignature ToProto(this TensorSignature tensor)
    {
        var message = new Proto.TensorSignature { Name = tensor.Name, Datatype = tensor.Datatype };
        message.Shape.AddRange(tensor.Shape);
        return message;
    }

    /// <summary>Attaches to each version of <paramref name="model"/> what the replicas reported of it.</summary>
    public static Proto.Model WithReplicaLoads(this Proto.Model model, IReadOnlyList<VersionLoadSummary> loads)
    {
        foreach (var version in model.Versions)
        {
            version.WithReplicaLoad(loads);
        }

        return model;
    }

    /// <summary>Attaches what the replicas reported of <paramref name="version"/>, if any did.</summary>
    public static Proto.ModelVersion WithReplicaLoad(this Proto.ModelVersion version, IReadOnlyList<VersionLoadSummary> loads)
    {
        if (loads.FirstOrDefault(load => load.Version == version.Version) is { } load)
        {
            version.ReplicaLoad = load.ToProto();
        }

        return version;
    }

    public static Proto.ReplicaLoad ToProto(this VersionLoadSummary load)
    {
        var message = new Proto.ReplicaLoad
        {
            Replicas = load.Replicas,
            Loaded = load.Loaded,
            Loading = load.Loading,
            Failed = load.Failed,
            Error = load.LastError ?? "",
            Summary = load.Describe(),
        };
        message.ByReplica.AddRange(load.ByReplica.Select(replica => new Proto.ReplicaVersionLoad
        {
            Replica = replica.ReplicaId,
            State = replica.Status.State switch
            {
                VersionLoadState.Loading => Proto.VersionLoadState.Loading,
                VersionLoadState.Loaded => Proto.VersionLoadState.Loaded,
                VersionLoadState.Failed => Proto.VersionLoadState.Failed,
                _ => Proto.VersionLoadState.Unspecified,
            },
            Error = replica.Status.Error ?? "",
            FailedAttempts = replica.Status.FailedAttempts,
            NextAttemptAt = replica.Status.NextAttemptAt is { } next ? Timestamp.FromDateTimeOffset(next) : null,
            ReportedAt = Timestamp.FromDateTimeOffset(replica.ReportedAt),
            GrpcAddress = replica.GrpcAddress ?? "",
        }));
        return message;
    }

    /// <summary>The replicas serving <paramref name="version"/> of <paramref name="model"/> that a client may call directly.</summary>
    public static Proto.ListEndpointsResponse ToEndpoints(this IReadOnlyList<VersionLoadSummary> loads, string model, string version)
    {
        var response = new Proto.ListEndpointsResponse { ModelName = model, Version = version };
        if (loads.FirstOrDefault(load => load.Version == version) is { } load)
        {
            response.Endpoints.AddRange(load.Endpoints.Select(replica => new Proto.ModelEndpoint
            {
                Replica = replica.ReplicaId,
                GrpcAddress = replica.GrpcAddress ?? "",
                ReportedAt = Timestamp.FromDateTimeOffset(replica.ReportedAt),
            }));
        }

        return response;
    }

    /// <param name="sequence">The event's number in the model's trail.</param>
    public static Proto.AuditEvent ToProto(this AuditEvent audit, long sequence) => new()
    {
        At = Timestamp.FromDateTimeOffset(audit.At),
        Actor = audit.Actor,
        Action = audit.Action,
        Version = audit.Version ?? "",
        From = audit.From ?? "",
        To = audit.To ?? "",
        Reason = audit.Reason,
        Revision = audit.Revision,
        Sequence = sequence,
    };

    /// <param name="sequence">The event's number in the security trail.</param>
    public static Proto.SecurityAuditEvent ToProto(this SecurityAuditEvent audit, long sequence) => new()
    {
        At = Timestamp.FromDateTimeOffset(audit.At),
        Caller = audit.Caller,
        Operation = audit.Operation,
        Outcome = audit.Outcome,
        Detail = audit.Detail,
        ModelName = audit.ModelName ?? "",
        Peer = audit.Peer ?? "",
        Sequence = sequence,
    };

    /// <summary>A declared signature, or null when the caller declared none.</summary>
    public static ModelSignature? FromProto(Proto.ModelSignature? signature) =>
        signature is null || (signature.Inputs.Count == 0 && signature.Outputs.Count == 0)
            ? null
            : new ModelSignature([.. signature.Inputs.Select(FromProto)], [.. signature.Outputs.Select(FromProto)]);

    public static TensorSignature FromProto(Proto.TensorSignature tensor) => new(tensor.Name, tensor.Datatype, [.. tensor.Shape]);

    public static ModelLineage? FromProto(Proto.Lineage? lineage)
    {
        if (lineage is null)
        {
            return null;
        }

        var window = lineage.TrainingData is { From: { } from, To: { } to }
            ? new TrainingDataWindow(from.ToDateTimeOffset(), to.ToDateTimeOffset())
            : null;
        var parent = string.IsNullOrEmpty(lineage.ParentVersion) ? null : lineage.ParentVersion;
        var reference = lineage.ReferenceProfile is { } profile ? FromProto(profile) : null;
        var result = new ModelLineage(
            parent,
            window,
            reference,
            string.IsNullOrEmpty(lineage.Trainer) ? null : lineage.Trainer,
            lineage.Parameters.Count == 0 ? null : new Dictionary<string, string>(lineage.Parameters),
            lineage.HasSeed ? lineage.Seed : null,
            lineage.TrainingRows,
            string.IsNullOrEmpty(lineage.Trigger) ? null : lineage.Trigger,
            string.IsNullOrEmpty(lineage.Command) ? null : lineage.Command);
        return result == new ModelLineage(null, null) ? null : result;
    }

    /// <summary>A reference profile sent at registration; <see cref="ArgumentException"/> names what is malformed.</summary>
    public static ReferenceProfileData FromProto(Proto.ReferenceProfile profile)
    {
        var data = new ReferenceProfileData(
            [.. profile.Features.Select(FromProto)],
            [.. profile.Predictions.Select(FromProto)],
            profile.RowCount,
            string.IsNullOrEmpty(profile.Source) ? "supplied at registration" : profile.Source);
        if (data.Features.Count == 0 && data.Predictions.Count == 0)
        {
            throw new ArgumentException("a reference profile needs at least one feature or prediction");
        }

        // Building the monitoring library's profile checks edges and counts.
        _ = MonitoringMapper.ToProfile(data);
        return data;
    }

    private static FeatureProfileData FromProto(Proto.FeatureProfile feature)
    {
        if (feature.Counts.Count != feature.Edges.Count + 1)
        {
            throw new ArgumentException($"reference profile of '{feature.Name}' has {feature.Edges.Count} edges and {feature.Counts.Count} counts; counts must be edges + 1");
        }

        return new FeatureProfileData(feature.Name, [.. feature.Edges], [.. feature.Counts], feature.Mean, feature.StandardDeviation, feature.Minimum, feature.Maximum);
    }
}
