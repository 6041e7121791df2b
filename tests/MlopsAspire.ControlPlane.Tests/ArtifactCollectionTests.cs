using Mlops.V1;

namespace MlopsAspire.ControlPlane.Tests;

public sealed class ArtifactCollectionTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private ModelManagement.ModelManagementClient Operator => host.Client(ControlPlaneHost.OperatorKey);

    [Fact]
    public async Task Retiring_a_version_deletes_its_artifact_and_keeps_the_production_one()
    {
        var name = ControlPlaneHost.UniqueModelName("gc");
        var first = await Operator.RegisterAsync(name, TestOnnxModels.AddBias(101f));
        var second = await Operator.RegisterAsync(name, TestOnnxModels.AddBias(202f));
        var productionSha = first.Version.ArtifactSha256;
        var retiredSha = second.Version.ArtifactSha256;
        Assert.NotEqual(productionSha, retiredSha);

        await Operator.PromoteAsync(new PromoteRequest { Name = name, Version = first.Version.Version, Reason = "baseline" });
        Assert.NotNull(await host.Artifacts.GetDescriptorAsync(retiredSha));

        var retired = await Operator.RetireAsync(new RetireRequest { Name = name, Version = second.Version.Version, Reason = "unused" });

        Assert.Equal(Mlops.V1.ModelVersionState.Retired, retired.Version.State);
        Assert.Null(await host.Artifacts.GetDescriptorAsync(retiredSha));
        Assert.NotNull(await host.Artifacts.GetDescriptorAsync(productionSha));
        await using var production = new MemoryStream();
        await host.Artifacts.CopyToAsync(productionSha, production);
        Assert.Equal(TestOnnxModels.AddBias(101f), production.ToArray());
    }

    [Fact]
    public async Task An_artifact_shared_with_another_model_survives_the_retirement_until_the_last_user_goes()
    {
        var content = TestOnnxModels.AddBias(303f);
        var kept = ControlPlaneHost.UniqueModelName("shared-a");
        var retiredFirst = ControlPlaneHost.UniqueModelName("shared-b");
        var a = await Operator.RegisterAsync(kept, content);
        var b = await Operator.RegisterAsync(retiredFirst, content);
        var sha = a.Version.ArtifactSha256;
        Assert.Equal(sha, b.Version.ArtifactSha256);

        await Operator.RetireAsync(new RetireRequest { Name = retiredFirst, Version = b.Version.Version, Reason = "duplicate" });
        Assert.NotNull(await host.Artifacts.GetDescriptorAsync(sha));

        await Operator.RetireAsync(new RetireRequest { Name = kept, Version = a.Version.Version, Reason = "done" });
        Assert.Null(await host.Artifacts.GetDescriptorAsync(sha));
    }
}
