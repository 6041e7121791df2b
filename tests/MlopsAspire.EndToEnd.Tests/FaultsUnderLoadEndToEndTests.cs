using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mlops.V1;
using MlopsAspire.Training;
using Xunit.Abstractions;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Faults while open-model traffic flows through a cluster of silos and replicas: a silo killed, a replica killed, the
/// store restarted, the whole control plane stopped. Each drill measures what the traffic paid (<see cref="FaultFigures"/>)
/// and checks that no lifecycle state was lost; each leaves the cluster whole again for the next.
/// </summary>
[Collection(ClusterPlatformCollection.Name)]
public sealed class FaultsUnderLoadEndToEndTests(ClusterPlatformFixture platform, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private FaultDrillScale Scale => platform.Scale;

    [Fact]
    public async Task A_killed_silo_loses_no_request_and_no_state_and_the_others_keep_pushing_routes_and_monitoring()
    {
        // Management through a silo that survives; the first silo is the one killed.
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey, "control-plane-2"));
        var monitoring = new ModelMonitoring.ModelMonitoringClient(platform.ControlPlane(PlatformFixture.OperatorKey, "control-plane-2"));
        var candidate = await RegisterCandidateAsync(management);
        var faults = new ResourceFaults(platform.App);
        var silo = (await faults.InstancesOfAsync("control-plane")).Single();

        var (figures, countedBefore) = await DrillAsync(
            "kill -9 of a silo",
            platform.SpreadInference,
            management,
            () => faults.KillAsync(silo),
            beforeFault: () => RequestsCountedAsync(monitoring));

        // The monitors still count, and a route changed now reaches the replicas: a shadow is compared on live traffic.
        await EventuallyAsync(async () => await RequestsCountedAsync(monitoring) > countedBefore ? "counted" : null);
        await management.SetShadowAsync(new SetShadowRequest { Name = "fraud", Version = candidate, SampleRate = 1.0, Reason = "after a silo died" }, deadline: DateTime.UtcNow.AddSeconds(30));
        await using (var load = new OpenFraudLoad(platform.SpreadInference, Scale.Rate, seed: 11))
        {
            await EventuallyAsync(async () =>
            {
                var stats = await monitoring.GetStatsAsync(new GetStatsRequest { ModelName = "fraud", Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) });
                return stats.Versions.SingleOrDefault(v => v.Role == "production")?.Shadows.SingleOrDefault(s => s.ShadowVersion == candidate) is { Compared: > 0 } shadow ? shadow : null;
            });
        }

        await faults.StartAsync(silo);
        Assert.Empty(figures.LostState);
        Assert.Equal(0, figures.Failed);
    }

    [Fact]
    public async Task A_killed_replica_leaves_the_traffic_to_the_others()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var faults = new ResourceFaults(platform.App);
        var replica = (await faults.InstancesOfAsync("inference", Scale.Replicas))[0];

        var (figures, _) = await DrillAsync("kill -9 of a replica", platform.SpreadInference, management, () => faults.KillAsync(replica));

        await faults.StartAsync(replica);
        Assert.Empty(figures.LostState);
        // Requests in flight on the killed replica's connections fail; the ones after go to the others.
        Assert.True(figures.FailedFraction < 0.05, $"{figures.Failed} of {figures.Sent} requests failed ({figures.Failures})");
        var failedLate = figures.Timeline.Where(s => s.Index >= figures.FaultSecond + 3).Sum(s => s.FailedCount);
        Assert.Equal(0, failedLate);
    }

    [Fact]
    public async Task A_restarted_store_keeps_every_lifecycle_state_and_fails_no_request()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var faults = new ResourceFaults(platform.App);

        var (figures, _) = await DrillAsync(
            "restart of the store", platform.SpreadInference, management, async () => await faults.RestartAsync((await faults.InstancesOfAsync("garnet")).Single()));

        Assert.Empty(figures.LostState);
        Assert.Equal(0, figures.Failed);
    }

    [Fact]
    public async Task With_the_whole_control_plane_stopped_replicas_keep_serving_and_statistics_catch_up()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var monitoring = new ModelMonitoring.ModelMonitoringClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var faults = new ResourceFaults(platform.App);
        var silos = new List<string>();
        for (var silo = 1; silo <= Scale.Silos; silo++)
        {
            silos.AddRange(await faults.InstancesOfAsync(silo == 1 ? "control-plane" : $"control-plane-{silo}"));
        }

        var (figures, countedBefore) = await DrillAsync(
            $"control plane stopped for {Scale.OutageSeconds} s",
            platform.SpreadInference,
            management,
            async () =>
            {
                await Task.WhenAll(silos.Select(faults.StopAsync));
                await Task.Delay(TimeSpan.FromSeconds(Scale.OutageSeconds));
                await Task.WhenAll(silos.Select(faults.StartAsync));
            },
            beforeFault: () => RequestsCountedAsync(monitoring));

        Assert.Empty(figures.LostState);
        Assert.Equal(0, figures.Failed);
        // Statistics kept while no silo listened arrive once one does: the monitors count the requests served meanwhile.
        await EventuallyAsync(async () => await RequestsCountedAsync(monitoring) >= countedBefore + figures.Sent ? "caught up" : null);
    }

    /// <summary>
    /// Runs the traffic for the baseline, captures the lifecycle state, does the fault, observes, captures again,
    /// and writes the figures.
    /// </summary>
    private async Task<(FaultFigures Figures, long CountedBefore)> DrillAsync(
        string fault,
        IReadOnlyList<Inference.GRPCInferenceService.GRPCInferenceServiceClient> inference,
        ModelManagement.ModelManagementClient management,
        Func<Task> doFault,
        Func<Task<long>>? beforeFault = null)
    {
        IReadOnlyList<LoadSecond> timeline;
        IReadOnlyList<string> before;
        IReadOnlyList<string> after;
        long countedBefore;
        int faultSecond;
        int observedUntil;
        await using (var load = new OpenFraudLoad(inference, Scale.Rate))
        {
            // One second to open connections, then the baseline.
            await load.WaitUntilAsync(1 + Scale.BaselineSeconds);
            before = await LifecycleState.CaptureAsync(management);
            countedBefore = beforeFault is null ? 0 : await beforeFault();
            faultSecond = (int)Math.Ceiling(load.Elapsed);
            await load.WaitUntilAsync(faultSecond);
            await doFault();
            observedUntil = (int)Math.Ceiling(load.Elapsed) + Scale.ObserveSeconds;
            await load.WaitUntilAsync(observedUntil);
            timeline = await load.StopAsync();
        }

        after = await EventuallyAsync(async () =>
        {
            try
            {
                return await LifecycleState.CaptureAsync(management);
            }
            catch (Grpc.Core.RpcException)
            {
                return null; // The cluster is still settling (a silo just came back): ask again.
            }
        });
        var figures = FaultFigures.From(fault, timeline, faultSecond - Scale.BaselineSeconds, faultSecond, observedUntil, LifecycleState.Differences(before, after));
        output.WriteLine(FaultFigures.MarkdownHeader);
        output.WriteLine(figures.ToMarkdownRow());
        figures.TimelineRows().ToList().ForEach(output.WriteLine);
        if (Scale.FiguresFile is { } file)
        {
            await File.AppendAllTextAsync(file, figures.ToMarkdownRow() + Environment.NewLine);
            await File.AppendAllLinesAsync(file + ".timeline.tsv", figures.TimelineRows());
        }

        return (figures, countedBefore);
    }

    /// <summary>Requests the monitors have counted for fraud over the last ten minutes, every version together.</summary>
    private static async Task<long> RequestsCountedAsync(ModelMonitoring.ModelMonitoringClient monitoring)
    {
        var stats = await monitoring.GetStatsAsync(new GetStatsRequest { ModelName = "fraud", Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) });
        return stats.Versions.Sum(v => v.Requests);
    }

    /// <summary>Registers a second fraud model (another seed) once; returns its version.</summary>
    private static async Task<string> RegisterCandidateAsync(ModelManagement.ModelManagementClient management)
    {
        var candidate = DemoModels.TrainFraud(seed: 43).OnnxModel;
        using var upload = management.RegisterModel();
        await upload.RequestStream.WriteAsync(new RegisterModelRequest
        {
            Metadata = new RegisterModelMetadata { Name = "fraud", Description = "retrained with seed 43", Size = candidate.Length },
        });
        for (var offset = 0; offset < candidate.Length; offset += 32 * 1024)
        {
            await upload.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = ByteString.CopyFrom(candidate, offset, Math.Min(32 * 1024, candidate.Length - offset)) });
        }

        await upload.RequestStream.CompleteAsync();
        var version = (await upload).Version.Version;
        // Validated before the drill, so that no change of its own shows up as a difference in the lifecycle state.
        await EventuallyAsync(async () =>
        {
            var registered = await management.GetVersionAsync(new GetVersionRequest { Name = "fraud", Version = version });
            return registered.State == ModelVersionState.Ready ? registered : null;
        });
        return version;
    }

    private static Task<T> EventuallyAsync<T>(Func<Task<T?>> probe)
        where T : class => Eventually.Async(probe, Patience);
}
