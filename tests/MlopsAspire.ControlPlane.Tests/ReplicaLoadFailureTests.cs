using Grpc.Core;
using Mlops.V1;
using MlopsAspire.Abstractions.Monitoring;
using static MlopsAspire.Inference.Tests.Eventually;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>
/// A version that no replica can load (its artifact is gone from the store) shows in the management API, cannot be
/// promoted, and with auto-rollback on is taken out of production again: a real replica, a real control plane.
/// </summary>
public sealed class ReplicaLoadFailureTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private ModelManagement.ModelManagementClient Operator => host.Client(ControlPlaneHost.OperatorKey);

    [Fact]
    public async Task A_version_no_replica_can_load_shows_is_refused_promotion_and_is_rolled_back_with_auto_rollback()
    {
        var name = ControlPlaneHost.UniqueModelName("unloadable");
        var versions = new List<ModelVersion>();
        for (var bias = 1; bias <= 3; bias++)
        {
            versions.Add((await Operator.RegisterAsync(name, TestOnnxModels.AddBias(20f + bias))).Version);
        }

        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "1" });
        await using var replica = await ControlPlaneReplica.StartAsync(host, "--Inference:LoadRetryInitialDelay=00:00:00.2");

        // Version 2's bytes are lost from the store: the replica cannot fetch it, and says so.
        await host.Artifacts.DeleteAsync(versions[1].ArtifactSha256);
        await Operator.SetShadowAsync(new SetShadowRequest { Name = name, Version = "2", SampleRate = 0.5 });
        var shadow = await UntilVersionAsync(name, "2", load => load is { Replicas: 1, Failed: 1 });
        Assert.Equal(0, shadow.ReplicaLoad.Loaded);
        Assert.StartsWith("loaded on 0 of 1 replica, failed on 1: ", shadow.ReplicaLoad.Summary);
        Assert.Contains(versions[1].ArtifactSha256, shadow.ReplicaLoad.Error);
        var production = await UntilVersionAsync(name, "1", load => load is { Loaded: 1 });
        Assert.Equal("loaded on 1 of 1 replica", production.ReplicaLoad.Summary);

        var refused = await Assert.ThrowsAsync<RpcException>(() => Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "2" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("no replica could load it", refused.Status.Detail);

        // Promoted before any replica tried it, version 3 fails everywhere: auto-rollback takes production back to 1.
        await host.Grains.GetGrain<IModelGovernorGrain>(name).SetPolicy(AutoRollback);
        await host.Artifacts.DeleteAsync(versions[2].ArtifactSha256);
        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "3" });
        await Until(async () => (await Operator.GetModelAsync(new GetModelRequest { Name = name })).ProductionVersion == "1", "rolled back to 1");
        var audit = await Operator.GetAuditLogAsync(new GetAuditLogRequest { Name = name });
        var rollback = audit.Events.Last(e => e.Action == "rollback");
        Assert.Equal("load-monitor", rollback.Actor);
        Assert.Contains("version 3 could not be loaded: loaded on 0 of 1 replica, failed on 1", rollback.Reason);
    }

    private static readonly PromotionPolicyData AutoRollback = new(
        MinimumRows: 500, MinimumDuration: TimeSpan.Zero, MinimumShadowAgreement: null, MaximumMeanScoreDelta: null,
        MaximumP99Ratio: null, MaximumErrorRate: null, MaximumAccuracyDrop: null, MinimumLabelledRows: 100,
        AutoPromote: false, AutoRollback: true, EvaluationSpan: TimeSpan.FromHours(1));

    private async Task<ModelVersion> UntilVersionAsync(string name, string version, Func<ReplicaLoad?, bool> condition)
    {
        ModelVersion? found = null;
        await Until(async () =>
        {
            found = await Operator.GetVersionAsync(new GetVersionRequest { Name = name, Version = version });
            return condition(found.ReplicaLoad);
        }, $"version {version}'s replica load");
        return found!;
    }
}
