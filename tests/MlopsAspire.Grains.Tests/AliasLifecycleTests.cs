using System.Threading.Channels;
using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;

namespace MlopsAspire.Grains.Tests;

/// <summary>Shadow, canary, promotion, rollback and retirement: the guards, the audit trail, the routes and concurrency.</summary>
public sealed class AliasLifecycleTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private IModelRegistryGrain Registry => fixture.Grains.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey);

    [Fact]
    public async Task Shadow_then_canary_then_promotion_moves_the_aliases_and_the_routing_table_follows()
    {
        var (name, model) = await ModelWithReadyVersionsAsync(2);
        await model.PromoteAsync("1", Change("baseline"));
        var stamp = (await Registry.GetRoutingTableAsync()).Stamp;

        var shadow = await model.SetShadowAsync("2", 0.2, Change("compare on live traffic"));
        Assert.Equal(ModelVersionState.Shadow, shadow.State);
        var route = await RouteAsync(name, stamp);
        Assert.Equal("1", route.ProductionVersion);
        Assert.Null(route.Canary);
        Assert.Equal([new ShadowRoute("2", 0.2)], route.Shadows);
        Assert.Equal(
            [("1", ServedVersionRole.Production), ("2", ServedVersionRole.Shadow)],
            route.Versions.Select(v => (v.Version, v.Role)));
        stamp = (await Registry.GetRoutingTableAsync()).Stamp;

        var canary = await model.SetCanaryAsync("2", 10, Change("shadow agreed"));
        Assert.Equal(ModelVersionState.Canary, canary.State);
        route = await RouteAsync(name, stamp);
        Assert.Equal(new CanaryRoute("2", 10), route.Canary);
        Assert.Empty(route.Shadows!);
        Assert.Contains(route.Versions, v => v.Version == "2" && v.Role == ServedVersionRole.Canary);
        stamp = (await Registry.GetRoutingTableAsync()).Stamp;

        await model.PromoteAsync("2", Change("canary healthy"));
        route = await RouteAsync(name, stamp);
        Assert.Equal("2", route.ProductionVersion);
        Assert.Null(route.Canary);
        Assert.Equal(["2"], route.Versions.Select(v => v.Version));

        var info = await model.GetAsync();
        Assert.Equal(ModelVersionState.Ready, info.Versions.Single(v => v.Version == "1").State);
        Assert.Equal(["1"], info.ProductionHistory!);

        var audit = await model.ReadAuditTrailAsync();
        var transitions = audit.Where(e => e.Version == "2").Select(e => (e.Action, e.From, e.To)).ToList();
        Assert.Equal(
            [
                ("register", null, "Registered"),
                ("validating", "Registered", "Validating"),
                ("validate", "Validating", "Ready"),
                ("shadow", "Ready", "Shadow"),
                ("canary", "Shadow", "Canary"),
                ("promote", "Canary", "Production"),
            ],
            transitions);
        Assert.All(audit, e => Assert.Equal("tester", e.Actor));
        Assert.Contains("weight 10%", audit.Single(e => e.Action == "canary").Reason);
        Assert.Contains("sample rate 0.2", audit.Single(e => e.Action == "shadow").Reason);
    }

    [Fact]
    public async Task A_new_canary_sends_the_old_one_back_to_ready_and_weights_can_change()
    {
        var (name, model) = await ModelWithReadyVersionsAsync(3);
        await model.PromoteAsync("1", Change("baseline"));
        await model.SetCanaryAsync("2", 5, Change("try"));
        await model.SetCanaryAsync("2", 25, Change("ramp up"));

        Assert.Equal(new CanaryRoute("2", 25), (await model.GetAsync()).Canary);

        await model.SetCanaryAsync("3", 10, Change("other candidate"));
        var info = await model.GetAsync();
        Assert.Equal(new CanaryRoute("3", 10), info.Canary);
        Assert.Equal(ModelVersionState.Ready, info.Versions.Single(v => v.Version == "2").State);
        var route = Assert.Single((await Registry.GetRoutingTableAsync()).Models, r => r.ModelName == name);
        Assert.DoesNotContain(route.Versions, v => v.Version == "2");
    }

    [Fact]
    public async Task Guards_refuse_transitions_the_lifecycle_does_not_allow()
    {
        var (_, model) = await ModelWithReadyVersionsAsync(2);

        var noProduction = await Assert.ThrowsAsync<LifecycleViolationException>(() => model.SetShadowAsync("2", 0.5, Change("early")));
        Assert.Contains("no production version", noProduction.Message);
        await Assert.ThrowsAsync<LifecycleViolationException>(() => model.SetCanaryAsync("2", 10, Change("early")));

        await model.PromoteAsync("1", Change("baseline"));
        await model.RegisterVersionAsync(Request(Sha('3')));
        await model.RecordValidationAsync("3", Failed(), "tester");

        var failedCanary = await Assert.ThrowsAsync<LifecycleViolationException>(() => model.SetCanaryAsync("3", 10, Change("anyway")));
        Assert.Contains("Failed", failedCanary.Message);
        await Assert.ThrowsAsync<LifecycleViolationException>(() => model.SetShadowAsync("3", 0.1, Change("anyway")));
        await Assert.ThrowsAsync<LifecycleViolationException>(() => model.PromoteAsync("3", Change("anyway")));

        var retireProduction = await Assert.ThrowsAsync<LifecycleViolationException>(() => model.RetireAsync("1", Change("cleanup")));
        Assert.Contains("production version cannot be retired", retireProduction.Message);
        await Assert.ThrowsAsync<LifecycleViolationException>(() => model.SetShadowAsync("1", 0.1, Change("self")));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => model.SetShadowAsync("2", 1.5, Change("too much")));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => model.SetCanaryAsync("2", 101, Change("too much")));

        var retired = await model.RetireAsync("2", Change("superseded"));
        Assert.Equal(ModelVersionState.Retired, retired.State);
        var promoteRetired = await Assert.ThrowsAsync<LifecycleViolationException>(() => model.PromoteAsync("2", Change("revive")));
        Assert.Contains("Retired", promoteRetired.Message);
        await Assert.ThrowsAsync<LifecycleViolationException>(() => model.SetCanaryAsync("2", 1, Change("revive")));

        // A failed version can still be retired.
        Assert.Equal(ModelVersionState.Retired, (await model.RetireAsync("3", Change("broken"))).State);
        var audit = await model.ReadAuditTrailAsync();
        Assert.Equal(["2", "3"], audit.Where(e => e.Action == "retire").Select(e => e.Version));
    }

    [Fact]
    public async Task Rollback_restores_the_previous_production_version_skipping_retired_ones()
    {
        var (name, model) = await ModelWithReadyVersionsAsync(3);
        var noProduction = await Assert.ThrowsAsync<LifecycleViolationException>(() => model.RollbackAsync(Change("nothing yet")));
        Assert.Contains("no production version", noProduction.Message);

        await model.PromoteAsync("1", Change("v1"));
        var firstOnly = await Assert.ThrowsAsync<LifecycleViolationException>(() => model.RollbackAsync(Change("nothing earlier")));
        Assert.Contains("no earlier production version", firstOnly.Message);

        await model.PromoteAsync("2", Change("v2"));
        await model.PromoteAsync("3", Change("v3"));
        await model.RetireAsync("2", Change("bad data"));

        var restored = await model.RollbackAsync(Change("v3 errors"));

        Assert.Equal("1", restored.Version);
        Assert.Equal(ModelVersionState.Production, restored.State);
        var info = await model.GetAsync();
        Assert.Equal("1", info.ProductionVersion);
        Assert.Equal(ModelVersionState.Ready, info.Versions.Single(v => v.Version == "3").State);
        Assert.Empty(info.ProductionHistory!);
        var route = Assert.Single((await Registry.GetRoutingTableAsync()).Models, r => r.ModelName == name);
        Assert.Equal("1", route.ProductionVersion);

        var audit = await model.ReadAuditTrailAsync();
        var demote = audit[^2];
        var rollback = audit[^1];
        Assert.Equal(("demote", "3", "Production", "Ready"), (demote.Action, demote.Version, demote.From, demote.To));
        Assert.Equal(("rollback", "1", "Ready", "Production"), (rollback.Action, rollback.Version, rollback.From, rollback.To));
        Assert.Contains("v3 errors", rollback.Reason);
        Assert.Equal(demote.Revision, rollback.Revision);

        await Assert.ThrowsAsync<LifecycleViolationException>(() => model.RollbackAsync(Change("again")));
    }

    [Fact]
    public async Task A_change_based_on_a_stale_revision_is_refused_and_changes_nothing()
    {
        var (_, model) = await ModelWithReadyVersionsAsync(2);
        var seen = (await model.GetAsync()).Revision;

        await model.PromoteAsync("1", Change("first writer", seen));
        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => model.PromoteAsync("2", Change("second writer", seen)));

        var info = await model.GetAsync();
        Assert.Equal(info.Revision, conflict.CurrentRevision);
        Assert.Contains($"revision {seen}", conflict.Message);
        Assert.Equal("1", info.ProductionVersion);
        Assert.DoesNotContain(await model.ReadAuditTrailAsync(), e => e.Reason == "second writer");

        // With the current revision the same change goes through.
        await model.PromoteAsync("2", Change("second writer", info.Revision));
        Assert.Equal("2", (await model.GetAsync()).ProductionVersion);
    }

    [Fact]
    public async Task Repeating_a_change_already_in_effect_changes_and_audits_nothing()
    {
        var (_, model) = await ModelWithReadyVersionsAsync(3);
        await model.PromoteAsync("1", Change("baseline"));
        await model.SetShadowAsync("2", 0.3, Change("compare"));
        await model.RetireAsync("3", Change("unused"));
        var before = await model.GetAsync();
        var auditBefore = await model.ReadAuditTrailAsync();

        await model.PromoteAsync("1", Change("again"));
        await model.SetShadowAsync("2", 0.3, Change("again"));
        await model.RetireAsync("3", Change("again"));
        await model.RegisterVersionAsync(Request(Sha('2')));

        Assert.Equal(before.Revision, (await model.GetAsync()).Revision);
        Assert.Equal(auditBefore, await model.ReadAuditTrailAsync());
    }

    [Fact]
    public async Task The_version_grain_keeps_provenance_signature_and_validation()
    {
        var name = UniqueModelName();
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        var window = new TrainingDataWindow(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await model.RegisterVersionAsync(Request(Sha('1')));
        await model.RegisterVersionAsync(Request(Sha('2')) with
        {
            Owner = "fraud-team",
            Lineage = new ModelLineage("1", window),
        });
        await model.RecordValidationAsync("2", Passed(), "tester");

        var version = fixture.Grains.GetGrain<IModelVersionGrain>(ModelVersionKey.Format(name, "2"));
        var stored = await version.GetAsync();
        Assert.Equal("fraud-team", stored.Owner);
        Assert.Equal("1", stored.Lineage!.ParentVersion);
        Assert.Equal(window, stored.Lineage.TrainingData);
        Assert.Null(stored.Lineage.Reference);
        Assert.Equal(ModelVersionState.Ready, stored.State);
        Assert.Equal(0.1, stored.Validation!.LatencyMillisecondsByBatchSize[1]);
        Assert.Equal(Passed().Inputs, stored.Signature!.Inputs);

        var profile = new ReferenceProfileData([new FeatureProfileData("amount", [0, 10, 100], [700, 300], 8, 5, 0, 100)], [], 1000, "training data");
        var withProfile = await version.SetReferenceProfileAsync(profile);
        Assert.Equal(1000, withProfile.Lineage!.Reference!.RowCount);
        Assert.Equal("fraud-team", (await model.GetVersionAsync("2")).Owner);

        var unknownParent = await Assert.ThrowsAsync<ModelNotFoundException>(() =>
            model.RegisterVersionAsync(Request(Sha('3')) with { Lineage = new ModelLineage("9", null) }));
        Assert.Contains("'9'", unknownParent.Message);
        await Assert.ThrowsAsync<ModelNotFoundException>(() =>
            fixture.Grains.GetGrain<IModelVersionGrain>(ModelVersionKey.Format(name, "7")).GetAsync());
    }

    [Fact]
    public async Task Watchers_are_told_of_each_change_with_its_audit_events()
    {
        var (_, model) = await ModelWithReadyVersionsAsync(1);
        var watcher = new RecordingObserver();
        var reference = fixture.Grains.CreateObjectReference<IModelObserver>(watcher);
        await model.SubscribeAsync(reference);

        await model.PromoteAsync("1", Change("go live"));

        var notice = await watcher.Next.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((await model.GetAsync()).Revision, notice.Revision);
        Assert.Equal("promote", Assert.Single(notice.Events).Action);
        await model.UnsubscribeAsync(reference);
        fixture.Grains.DeleteObjectReference<IModelObserver>(reference);
    }

    [Fact]
    public async Task Routing_table_watchers_receive_the_new_table_when_a_model_is_promoted()
    {
        var (name, model) = await ModelWithReadyVersionsAsync(1);
        var watcher = new RoutingTableRecorder();
        var reference = fixture.Grains.CreateObjectReference<IRoutingTableObserver>(watcher);
        await Registry.SubscribeAsync(reference);

        await model.PromoteAsync("1", Change("go live"));

        var table = await watcher.NextWithAsync(name).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("1", Assert.Single(table.Models, r => r.ModelName == name).ProductionVersion);
        Assert.Equal((await Registry.GetRoutingTableAsync()).Stamp, table.Stamp);
        await Registry.UnsubscribeAsync(reference);
        fixture.Grains.DeleteObjectReference<IRoutingTableObserver>(reference);
    }

    [Fact]
    public async Task Aliases_versions_and_routes_read_back_from_the_store_after_deactivation()
    {
        var (name, model) = await ModelWithReadyVersionsAsync(3);
        await model.PromoteAsync("1", Change("baseline"));
        await model.SetShadowAsync("2", 0.25, Change("compare"));
        await model.SetCanaryAsync("3", 15, Change("try"));
        var version = fixture.Grains.GetGrain<IModelVersionGrain>(ModelVersionKey.Format(name, "2"));
        await version.SetReferenceProfileAsync(new ReferenceProfileData([new FeatureProfileData("x0", [0, 1], [5], 0.5, 0.1, 0, 1)], [], 5, "training data"));
        var modelBefore = await model.GetAsync();
        var versionBefore = await version.GetAsync();
        var tableBefore = await Registry.GetRoutingTableAsync();

        await fixture.Cluster.DeactivateAsync(model);
        await fixture.Cluster.DeactivateAsync(version);
        await fixture.Cluster.DeactivateAsync(Registry);

        var modelAfter = await model.GetAsync();
        Assert.Equal(modelBefore.Revision, modelAfter.Revision);
        Assert.Equal(modelBefore.Canary, modelAfter.Canary);
        Assert.Equal(modelBefore.Shadows, modelAfter.Shadows);
        var versionAfter = await version.GetAsync();
        Assert.Equal(versionBefore.Signature, versionAfter.Signature);
        Assert.Equal(versionBefore.Validation!.Inputs, versionAfter.Validation!.Inputs);
        Assert.Equal(5, versionAfter.Lineage!.Reference!.RowCount);
        var tableAfter = await Registry.GetRoutingTableAsync();
        Assert.Equal(tableBefore.Stamp, tableAfter.Stamp);
        Assert.Equal(
            tableBefore.Models.Single(r => r.ModelName == name),
            tableAfter.Models.Single(r => r.ModelName == name));
    }

    private async Task<(string Name, IModelGrain Model)> ModelWithReadyVersionsAsync(int count)
    {
        var name = UniqueModelName();
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        for (var i = 1; i <= count; i++)
        {
            var version = await model.RegisterVersionAsync(Request(Sha((char)('0' + i))) with
            {
                DeclaredSignature = new ModelSignature([new TensorSignature("Features", "FP32", [-1, 12])], [new TensorSignature("Probability.output", "FP32", [-1, 1])]),
            });
            await model.BeginValidationAsync(version.Version, "tester");
            await model.RecordValidationAsync(version.Version, Passed(), "tester");
        }

        return (name, model);
    }

    private async Task<ModelRoute> RouteAsync(string name, long newerThan)
    {
        var table = await Registry.GetRoutingTableAsync();
        Assert.True(table.Stamp > newerThan, $"routing table stamp {table.Stamp} did not grow past {newerThan}");
        return Assert.Single(table.Models, r => r.ModelName == name);
    }

    private static ChangeContext Change(string reason, long? expectedRevision = null) => new("tester", reason, expectedRevision);

    private static ValidationReport Failed() => new(false, "smoke inference threw", [], [], new Dictionary<int, double>());

    private sealed class RecordingObserver : IModelObserver
    {
        private readonly TaskCompletionSource<ModelChangeNotice> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ModelChangeNotice> Next => _next.Task;

        public void ModelChanged(ModelChangeNotice notice) => _next.TrySetResult(notice);
    }

    private sealed class RoutingTableRecorder : IRoutingTableObserver
    {
        private readonly Channel<RoutingTable> _tables = Channel.CreateUnbounded<RoutingTable>();

        public void RoutingTableChanged(RoutingTable table) => _tables.Writer.TryWrite(table);

        /// <summary>The first pushed table that routes <paramref name="modelName"/>; earlier pushes are skipped.</summary>
        public async Task<RoutingTable> NextWithAsync(string modelName)
        {
            while (true)
            {
                var table = await _tables.Reader.ReadAsync();
                if (table.Models.Any(route => route.ModelName == modelName))
                {
                    return table;
                }
            }
        }
    }
}
