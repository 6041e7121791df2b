using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains.Tests;

public sealed class ModelLifecycleTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly IReadOnlyList<TensorSignature> FraudInputs = [new("Features", "FP32", [-1, 12])];
    private static readonly IReadOnlyList<TensorSignature> FraudOutputs = [new("Probability.output", "FP32", [-1, 1])];

    [Fact]
    public async Task A_registered_version_is_validated_promoted_and_routed()
    {
        var name = UniqueModelName();
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        var registry = fixture.Grains.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey);
        var stampBefore = (await registry.GetRoutingTableAsync()).Stamp;

        var registered = await model.RegisterVersionAsync(Request(Sha('a')));
        Assert.Equal("1", registered.Version);
        Assert.Equal(ModelVersionState.Registered, registered.State);

        var ready = await model.RecordValidationAsync("1", Passed(), "tester");
        Assert.Equal(ModelVersionState.Ready, ready.State);
        Assert.Equal(FraudInputs, ready.Validation!.Inputs);

        var production = await model.PromoteAsync("1", new ChangeContext("tester", "first version"));
        Assert.Equal(ModelVersionState.Production, production.State);

        var table = await registry.GetRoutingTableAsync();
        Assert.True(table.Stamp > stampBefore);
        var route = Assert.Single(table.Models, r => r.ModelName == name);
        Assert.Equal("1", route.ProductionVersion);
        var served = Assert.Single(route.Versions);
        Assert.Equal(Sha('a'), served.ArtifactSha256);
        Assert.Contains(name, await registry.ListModelsAsync());
    }

    [Fact]
    public async Task Registering_the_same_artifact_twice_returns_the_existing_version()
    {
        var model = fixture.Grains.GetGrain<IModelGrain>(UniqueModelName());

        var first = await model.RegisterVersionAsync(Request(Sha('b')));
        var again = await model.RegisterVersionAsync(Request(Sha('b')));
        var other = await model.RegisterVersionAsync(Request(Sha('c')));

        Assert.Equal(first.Version, again.Version);
        Assert.Equal("2", other.Version);
        Assert.Equal(2, (await model.GetAsync()).Versions.Count);
    }

    [Fact]
    public async Task An_unvalidated_or_failed_version_cannot_be_promoted()
    {
        var model = fixture.Grains.GetGrain<IModelGrain>(UniqueModelName());
        await model.RegisterVersionAsync(Request(Sha('d')));

        var unvalidated = await Assert.ThrowsAsync<LifecycleViolationException>(() => model.PromoteAsync("1", new ChangeContext("tester", "too early")));
        Assert.Contains("Registered", unvalidated.Message);

        var failed = await model.RecordValidationAsync("1", new ValidationReport(false, "smoke inference threw", [], [], new Dictionary<int, double>()), "tester");
        Assert.Equal(ModelVersionState.Failed, failed.State);
        await Assert.ThrowsAsync<LifecycleViolationException>(() => model.PromoteAsync("1", new ChangeContext("tester", "anyway")));
    }

    [Fact]
    public async Task Promoting_a_new_version_demotes_the_old_one_and_everything_is_audited()
    {
        var model = fixture.Grains.GetGrain<IModelGrain>(UniqueModelName());
        await model.RegisterVersionAsync(Request(Sha('e')));
        await model.RecordValidationAsync("1", Passed(), "alice");
        await model.PromoteAsync("1", new ChangeContext("alice", "baseline"));
        await model.RegisterVersionAsync(Request(Sha('f')));
        await model.RecordValidationAsync("2", Passed(), "bob");
        await model.PromoteAsync("2", new ChangeContext("bob", "better AUC"));

        var info = await model.GetAsync();
        Assert.Equal("2", info.ProductionVersion);
        Assert.Equal(ModelVersionState.Ready, info.Versions.Single(v => v.Version == "1").State);

        var audit = await model.ReadAuditTrailAsync();
        Assert.Equal(
            ["register", "validate", "promote", "register", "validate", "demote", "promote"],
            audit.Select(e => e.Action));
        var lastPromotion = audit[^1];
        Assert.Equal("bob", lastPromotion.Actor);
        Assert.Equal("better AUC", lastPromotion.Reason);
        Assert.Equal(nameof(ModelVersionState.Ready), lastPromotion.From);
        Assert.Equal(nameof(ModelVersionState.Production), lastPromotion.To);
    }

    [Fact]
    public async Task Unknown_models_and_versions_are_named_in_the_error()
    {
        var name = UniqueModelName();
        var model = fixture.Grains.GetGrain<IModelGrain>(name);

        var missingModel = await Assert.ThrowsAsync<ModelNotFoundException>(() => model.GetAsync());
        Assert.Contains(name, missingModel.Message);

        await model.RegisterVersionAsync(Request(Sha('9')));
        var missingVersion = await Assert.ThrowsAsync<ModelNotFoundException>(() => model.PromoteAsync("7", new ChangeContext("tester", "typo")));
        Assert.Contains("'7'", missingVersion.Message);
        Assert.Contains("versions: 1", missingVersion.Message);
    }

    internal static string UniqueModelName() => "model-" + Guid.NewGuid().ToString("N")[..8];

    internal static string Sha(char fill) => new(fill, 64);

    internal static RegisterVersionRequest Request(string sha) =>
        new(sha, 1024, "onnx", "test model", "tester", new Dictionary<string, double> { ["auc"] = 0.9 }, null);

    internal static ValidationReport Passed() =>
        new(true, "loaded and ran", FraudInputs, FraudOutputs, new Dictionary<int, double> { [1] = 0.1 });
}
