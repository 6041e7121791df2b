using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains.Tests;

/// <summary>Own cluster: these tests take silos away.</summary>
public sealed class SiloFailureTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task State_survives_deactivation_and_the_loss_of_the_silo_holding_it()
    {
        var name = ModelLifecycleTests.UniqueModelName();
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        await model.RegisterVersionAsync(ModelLifecycleTests.Request(ModelLifecycleTests.Sha('7')));
        await model.RecordValidationAsync("1", ModelLifecycleTests.Passed(), "tester");
        await model.PromoteAsync("1", new ChangeContext("tester", "durable"));

        await fixture.Cluster.DeactivateAsync(model);
        Assert.Equal("1", (await model.GetAsync()).ProductionVersion);

        Assert.True(fixture.Cluster.TryGetGrainContext(model.GetGrainId(), out var context));
        var host = fixture.Cluster.Silos.Single(silo => silo.SiloAddress.Equals(context.Address.SiloAddress));
        await fixture.Cluster.KillSiloAsync(host);

        var afterFailover = await model.GetAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("1", afterFailover.ProductionVersion);
        Assert.Equal(ModelVersionState.Production, afterFailover.Versions.Single().State);
        Assert.Equal(["register", "validate", "promote"], (await model.ReadAuditTrailAsync()).Select(e => e.Action));
    }
}
