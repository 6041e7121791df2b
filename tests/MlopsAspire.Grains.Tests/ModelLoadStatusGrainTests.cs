using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// What replicas report of loading a model's versions, on two silos with a clock the test moves: summaries across
/// replicas, replicas that fall silent, promotion refused for a version none could load, and auto-rollback.
/// </summary>
public sealed class ModelLoadStatusGrainTests(FakeClockClusterFixture fixture) : IClassFixture<FakeClockClusterFixture>
{
    private const string Error = "artifact 0123 is not in the store";

    [Fact]
    public async Task Reports_of_two_replicas_read_as_loaded_on_1_of_2_with_the_error()
    {
        var (name, _) = await ModelWithReadyVersionsAsync(1);
        var loads = fixture.Grains.GetGrain<IModelLoadStatusGrain>(name);

        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Loaded("1")]));
        await loads.ReportAsync(new ReplicaLoadReport("replica-b", [Failed("1", attempts: 3)]));

        var summary = Assert.Single(await loads.GetAsync());
        Assert.Equal(("1", 2, 1, 0, 1), (summary.Version, summary.Replicas, summary.Loaded, summary.Loading, summary.Failed));
        Assert.Equal($"loaded on 1 of 2 replicas, failed on 1: {Error}", summary.Describe());
        Assert.False(summary.NoReplicaLoaded);
        Assert.Equal(["replica-a", "replica-b"], summary.ByReplica.Select(replica => replica.ReplicaId));
    }

    [Fact]
    public async Task Each_replica_keeps_the_address_of_its_latest_report_and_only_loaded_ones_are_endpoints()
    {
        var (name, _) = await ModelWithReadyVersionsAsync(1);
        var loads = fixture.Grains.GetGrain<IModelLoadStatusGrain>(name);

        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Loaded("1")], "http://10.0.0.1:8001"));
        await loads.ReportAsync(new ReplicaLoadReport("replica-b", [Loaded("1")], "http://10.0.0.2:8001"));
        await loads.ReportAsync(new ReplicaLoadReport("replica-c", [Failed("1", attempts: 1)], "http://10.0.0.3:8001"));
        await loads.ReportAsync(new ReplicaLoadReport("replica-d", [Loaded("1")]));
        // Restarted at another address under the same id: the latest report is what clients are sent to.
        await loads.ReportAsync(new ReplicaLoadReport("replica-b", [Loaded("1")], "http://10.0.0.9:8001"));

        var summary = Assert.Single(await loads.GetAsync());
        Assert.Equal(
            ["http://10.0.0.1:8001", "http://10.0.0.9:8001", "http://10.0.0.3:8001", null],
            summary.ByReplica.Select(replica => replica.GrpcAddress));
        Assert.Equal(
            [("replica-a", "http://10.0.0.1:8001"), ("replica-b", "http://10.0.0.9:8001")],
            summary.Endpoints.Select(replica => (replica.ReplicaId, replica.GrpcAddress)));
    }

    [Fact]
    public async Task A_replica_that_stops_reporting_no_longer_counts_and_one_that_leaves_is_forgotten_at_once()
    {
        var (name, _) = await ModelWithReadyVersionsAsync(1);
        var loads = fixture.Grains.GetGrain<IModelLoadStatusGrain>(name);
        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Loaded("1")]));
        await loads.ReportAsync(new ReplicaLoadReport("replica-b", [Loaded("1")]));
        await loads.ReportAsync(new ReplicaLoadReport("replica-c", [Loaded("1")]));

        await loads.ReportAsync(new ReplicaLoadReport("replica-c", []));
        Assert.Equal(2, Assert.Single(await loads.GetAsync()).Replicas);

        fixture.Time.Advance(ReplicaLoadReports.Lifetime - TimeSpan.FromSeconds(1));
        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Loaded("1")]));
        fixture.Time.Advance(TimeSpan.FromSeconds(2));

        var summary = Assert.Single(await loads.GetAsync());
        Assert.Equal((1, 1), (summary.Replicas, summary.Loaded));
    }

    [Fact]
    public async Task A_replica_that_stops_reporting_leaves_the_endpoints_long_before_it_stops_counting()
    {
        var (name, _) = await ModelWithReadyVersionsAsync(1);
        var loads = fixture.Grains.GetGrain<IModelLoadStatusGrain>(name);
        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Loaded("1")], "http://10.0.0.1:8001"));
        await loads.ReportAsync(new ReplicaLoadReport("replica-b", [Loaded("1")], "http://10.0.0.2:8001"));

        fixture.Time.Advance(ReplicaLoadReports.EndpointLifetime - TimeSpan.FromSeconds(1));
        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Loaded("1")], "http://10.0.0.1:8001"));
        fixture.Time.Advance(TimeSpan.FromSeconds(2));

        var summary = Assert.Single(await loads.GetAsync());
        Assert.Equal(["replica-a"], summary.Endpoints.Select(endpoint => endpoint.ReplicaId));
        Assert.Equal((2, 2), (summary.Replicas, summary.Loaded));
    }

    [Fact]
    public async Task A_version_no_replica_could_load_cannot_be_promoted_or_made_the_canary()
    {
        var (name, model) = await ModelWithReadyVersionsAsync(2);
        await model.PromoteAsync("1", new ChangeContext("tester", "baseline"));
        await model.SetShadowAsync("2", 0.5, new ChangeContext("tester", "try it"));
        var loads = fixture.Grains.GetGrain<IModelLoadStatusGrain>(name);
        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Loaded("1"), Failed("2", attempts: 1)]));
        await loads.ReportAsync(new ReplicaLoadReport("replica-b", [Loaded("1"), Loading("2")]));

        var promotion = await Assert.ThrowsAsync<LifecycleViolationException>(() => model.PromoteAsync("2", new ChangeContext("tester", "ship it")));
        Assert.Contains("no replica could load it (loaded on 0 of 2 replicas, loading on 1, failed on 1: " + Error + ")", promotion.Message);
        await Assert.ThrowsAsync<LifecycleViolationException>(() => model.SetCanaryAsync("2", 10, new ChangeContext("tester", "ship some")));
        Assert.Equal("1", (await model.GetAsync()).ProductionVersion);

        // Once one replica has it loaded, it can go.
        await loads.ReportAsync(new ReplicaLoadReport("replica-b", [Loaded("1"), Loaded("2")]));
        await model.PromoteAsync("2", new ChangeContext("tester", "ship it"));
        Assert.Equal("2", (await model.GetAsync()).ProductionVersion);
    }

    [Fact]
    public async Task With_auto_rollback_on_a_production_version_that_fails_on_every_replica_is_rolled_back()
    {
        var (name, model) = await ModelWithReadyVersionsAsync(2);
        await model.PromoteAsync("1", new ChangeContext("tester", "baseline"));
        await model.PromoteAsync("2", new ChangeContext("tester", "new version"));
        await fixture.Grains.GetGrain<IModelGovernorGrain>(name).SetPolicy(AutoRollback);
        var loads = fixture.Grains.GetGrain<IModelLoadStatusGrain>(name);

        // One failed attempt each may be a replica's passing trouble: nothing moves yet.
        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Failed("2", attempts: 1)]));
        await loads.ReportAsync(new ReplicaLoadReport("replica-b", [Failed("2", attempts: 2)]));
        Assert.Equal("2", (await model.GetAsync()).ProductionVersion);

        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Failed("2", attempts: 2)]));

        Assert.Equal("1", (await model.GetAsync()).ProductionVersion);
        var rollback = (await model.ReadAuditTrailAsync()).Last(e => e.Action == "rollback");
        Assert.Equal(ModelLoadStatusGrain.Actor, rollback.Actor);
        Assert.Contains($"version 2 could not be loaded: loaded on 0 of 2 replicas, failed on 2: {Error}", rollback.Reason);
    }

    [Fact]
    public async Task Without_auto_rollback_a_production_version_that_fails_everywhere_stays_and_shows()
    {
        var (name, model) = await ModelWithReadyVersionsAsync(2);
        await model.PromoteAsync("1", new ChangeContext("tester", "baseline"));
        await model.PromoteAsync("2", new ChangeContext("tester", "new version"));
        var loads = fixture.Grains.GetGrain<IModelLoadStatusGrain>(name);

        await loads.ReportAsync(new ReplicaLoadReport("replica-a", [Failed("2", attempts: 5)]));

        Assert.Equal("2", (await model.GetAsync()).ProductionVersion);
        Assert.True(Assert.Single(await loads.GetAsync()).FailsEverywhere);
    }

    private static readonly PromotionPolicyData AutoRollback = new(
        MinimumRows: 500, MinimumDuration: TimeSpan.Zero, MinimumShadowAgreement: null, MaximumMeanScoreDelta: null,
        MaximumP99Ratio: null, MaximumErrorRate: null, MaximumAccuracyDrop: null, MinimumLabelledRows: 100,
        AutoPromote: false, AutoRollback: true, EvaluationSpan: TimeSpan.FromHours(1));

    private static VersionLoadStatus Loaded(string version) => new(version, VersionLoadState.Loaded, null, 0, null);

    private static VersionLoadStatus Loading(string version) => new(version, VersionLoadState.Loading, null, 0, null);

    private VersionLoadStatus Failed(string version, int attempts) =>
        new(version, VersionLoadState.Failed, Error, attempts, fixture.Time.GetUtcNow().AddSeconds(2 << attempts));

    private async Task<(string Name, IModelGrain Model)> ModelWithReadyVersionsAsync(int versions)
    {
        var name = $"loads-{Guid.NewGuid():N}"[..20];
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        for (var i = 1; i <= versions; i++)
        {
            var version = await model.RegisterVersionAsync(Request(Sha((char)('0' + i))));
            await model.BeginValidationAsync(version.Version, "tester");
            await model.RecordValidationAsync(version.Version, Passed(), "tester");
        }

        return (name, model);
    }
}
