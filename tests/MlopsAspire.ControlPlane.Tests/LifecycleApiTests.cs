using Grpc.Core;
using Mlops.V1;
using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Tests;

public sealed class LifecycleApiTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private ModelManagement.ModelManagementClient Operator => host.Client(ControlPlaneHost.OperatorKey);

    private ModelManagement.ModelManagementClient Reader => host.Client(ControlPlaneHost.ReaderKey);

    [Fact]
    public async Task Shadow_canary_promote_rollback_and_retire_through_the_API_are_audited_and_routed()
    {
        var name = await ModelWithVersionsAsync(3);

        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "1", Reason = "baseline" });
        var shadow = await Operator.SetShadowAsync(new SetShadowRequest { Name = name, Version = "2", SampleRate = 0.2, Reason = "compare" });
        Assert.Equal(Mlops.V1.ModelVersionState.Shadow, shadow.Version.State);
        Assert.Equal(0.2, Assert.Single(shadow.Model.Shadows).SampleRate);

        var canary = await Operator.SetCanaryAsync(new SetCanaryRequest { Name = name, Version = "3", WeightPercent = 10, Reason = "try" });
        Assert.Equal(("3", 10), (canary.Model.Canary.Version, canary.Model.Canary.WeightPercent));

        var table = await host.Grains.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey).GetRoutingTableAsync();
        var route = Assert.Single(table.Models, r => r.ModelName == name);
        Assert.Equal(new CanaryRoute("3", 10), route.Canary);
        Assert.Equal([new ShadowRoute("2", 0.2)], route.Shadows);

        var promoted = await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "3", Reason = "canary healthy" });
        Assert.Equal("3", promoted.Model.ProductionVersion);
        Assert.Null(promoted.Model.Canary);

        var rolledBack = await Operator.RollbackAsync(new RollbackRequest { Name = name, Reason = "error rate up" });
        Assert.Equal("1", rolledBack.Version.Version);
        Assert.Equal("1", rolledBack.Model.ProductionVersion);

        var retired = await Operator.RetireAsync(new RetireRequest { Name = name, Version = "3", Reason = "bad" });
        Assert.Equal(Mlops.V1.ModelVersionState.Retired, retired.Version.State);

        var model = await Reader.GetModelAsync(new GetModelRequest { Name = name });
        Assert.Equal(
            [Mlops.V1.ModelVersionState.Production, Mlops.V1.ModelVersionState.Shadow, Mlops.V1.ModelVersionState.Retired],
            model.Versions.Select(v => v.State));

        var audit = await Reader.GetAuditLogAsync(new GetAuditLogRequest { Name = name });
        var lifecycle = audit.Events.SkipWhile(e => e.Action != "promote").Select(e => (e.Action, e.Version, e.Actor)).ToList();
        Assert.Equal(
            [
                ("promote", "1", "olly-operator"),
                ("shadow", "2", "olly-operator"),
                ("canary", "3", "olly-operator"),
                ("demote", "1", "olly-operator"),
                ("promote", "3", "olly-operator"),
                ("demote", "3", "olly-operator"),
                ("rollback", "1", "olly-operator"),
                ("retire", "3", "olly-operator"),
            ],
            lifecycle);
        Assert.Contains("error rate up", audit.Events.Single(e => e.Action == "rollback").Reason);

        var listed = await Reader.ListModelsAsync(new ListModelsRequest());
        Assert.Contains(listed.Models, m => m.Name == name && m.ProductionVersion == "1");
    }

    [Fact]
    public async Task Rule_violations_unknown_names_and_bad_arguments_have_their_own_statuses()
    {
        var name = await ModelWithVersionsAsync(2);
        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "1", Reason = "baseline" });

        var retireProduction = await Assert.ThrowsAsync<RpcException>(() =>
            Operator.RetireAsync(new RetireRequest { Name = name, Version = "1", Reason = "oops" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, retireProduction.StatusCode);
        Assert.Contains("production version cannot be retired", retireProduction.Status.Detail);

        var unknownVersion = await Assert.ThrowsAsync<RpcException>(() =>
            Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "9" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknownVersion.StatusCode);
        Assert.Contains("'9'", unknownVersion.Status.Detail);

        var unknownModel = await Assert.ThrowsAsync<RpcException>(() =>
            Reader.GetModelAsync(new GetModelRequest { Name = "no-such-model" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknownModel.StatusCode);
        Assert.Contains("no-such-model", unknownModel.Status.Detail);

        var badWeight = await Assert.ThrowsAsync<RpcException>(() =>
            Operator.SetCanaryAsync(new SetCanaryRequest { Name = name, Version = "2", WeightPercent = 150 }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badWeight.StatusCode);
        Assert.Contains("0 to 100", badWeight.Status.Detail);

        var badName = await Assert.ThrowsAsync<RpcException>(() =>
            Reader.GetModelAsync(new GetModelRequest { Name = "a/b" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badName.StatusCode);
    }

    [Fact]
    public async Task A_change_made_against_a_stale_revision_is_aborted()
    {
        var name = await ModelWithVersionsAsync(2);
        var seen = (await Reader.GetModelAsync(new GetModelRequest { Name = name })).Revision;

        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "1", Reason = "first", ExpectedRevision = seen });
        var conflict = await Assert.ThrowsAsync<RpcException>(() =>
            Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "2", Reason = "second", ExpectedRevision = seen }).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, conflict.StatusCode);
        Assert.Contains($"expected revision {seen}", conflict.Status.Detail);
        Assert.Equal("1", (await Reader.GetModelAsync(new GetModelRequest { Name = name })).ProductionVersion);
    }

    [Fact]
    public async Task Watching_a_model_streams_its_current_state_then_each_change()
    {
        var name = await ModelWithVersionsAsync(2);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = Reader.WatchModel(new WatchModelRequest { Name = name }, cancellationToken: cancel.Token);

        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        var initial = watch.ResponseStream.Current;
        Assert.Empty(initial.Events);
        Assert.Equal("", initial.Model.ProductionVersion);

        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = "1", Reason = "go live" });
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        var promoted = watch.ResponseStream.Current;
        Assert.Equal(initial.Revision + 1, promoted.Revision);
        Assert.Equal("promote", Assert.Single(promoted.Events).Action);
        Assert.Equal("1", promoted.Model.ProductionVersion);

        await Operator.SetCanaryAsync(new SetCanaryRequest { Name = name, Version = "2", WeightPercent = 20 });
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(20, watch.ResponseStream.Current.Model.Canary.WeightPercent);
        cancel.Cancel();
    }

    private async Task<string> ModelWithVersionsAsync(int count)
    {
        var name = ControlPlaneHost.UniqueModelName();
        for (var i = 1; i <= count; i++)
        {
            await Operator.RegisterAsync(name, TestOnnxModels.AddBias(i * 10f));
        }

        return name;
    }
}
