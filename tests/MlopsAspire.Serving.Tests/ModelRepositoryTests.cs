namespace MlopsAspire.Serving.Tests;

public sealed class ModelRepositoryTests
{
    private static OnnxModel Identity(string name, string version) =>
        OnnxModel.Load(name, version, TestModels.Identity(TensorDatatype.Fp32, -1));

    [Fact]
    public void Default_version_answers_unpinned_requests_and_pinned_versions_resolve_exactly()
    {
        using var repository = new ModelRepository();
        repository.Add(Identity("m", "1"));
        repository.Add(Identity("m", "2"));
        repository.SetDefaultVersion("m", "1");

        Assert.Equal("1", repository.Resolve("m", null).Version);
        Assert.Equal("1", repository.Resolve("m", "").Version);
        Assert.Equal("2", repository.Resolve("m", "2").Version);
        Assert.True(repository.IsModelReady("m", null));
        Assert.False(repository.IsModelReady("m", "3"));
    }

    [Fact]
    public void Versions_are_listed_in_numeric_order()
    {
        using var repository = new ModelRepository();
        foreach (var version in new[] { "10", "2", "1" })
        {
            repository.Add(Identity("m", version));
        }

        Assert.Equal(["1", "2", "10"], repository.GetVersions("m"));
    }

    [Fact]
    public void Model_without_a_default_version_asks_for_a_pinned_one()
    {
        using var repository = new ModelRepository();
        repository.Add(Identity("m", "3"));

        var exception = Assert.Throws<InferenceException>(() => repository.Resolve("m", null));
        Assert.Equal(InferenceErrorKind.NotFound, exception.Kind);
        Assert.Equal("model 'm' has no default version; pin one of the loaded versions: 3", exception.Message);
    }

    [Fact]
    public void Unknown_model_in_an_empty_repository_says_nothing_is_loaded()
    {
        using var repository = new ModelRepository();

        var exception = Assert.Throws<InferenceException>(() => repository.Resolve("x", null));
        Assert.Equal("model 'x' is not served; no models are loaded", exception.Message);
    }

    [Fact]
    public void Unloading_waits_for_leases_before_disposing_the_session()
    {
        using var repository = new ModelRepository();
        repository.Add(Identity("m", "1"));
        repository.SetDefaultVersion("m", "1");
        var leased = repository.Acquire("m", null);

        Assert.True(repository.Remove("m", "1"));

        Assert.False(leased.IsDisposed);
        Assert.Throws<InferenceException>(() => repository.Acquire("m", null));
        leased.Release();
        Assert.True(leased.IsDisposed);
    }

    [Fact]
    public void Adding_a_loaded_version_again_replaces_and_unloads_the_old_instance()
    {
        using var repository = new ModelRepository();
        var first = Identity("m", "1");
        repository.Add(first);

        var second = Identity("m", "1");
        repository.Add(second);

        Assert.True(first.IsDisposed);
        Assert.Same(second, repository.Resolve("m", "1"));
    }

    [Fact]
    public void Ready_is_what_the_loader_says_and_disposal_clears_it()
    {
        var repository = new ModelRepository();
        Assert.False(repository.IsReady);

        repository.SetReady(true);
        Assert.True(repository.IsReady);

        repository.Dispose();
        Assert.False(repository.IsReady);
    }

    [Fact]
    public void Cuda_request_without_a_gpu_falls_back_to_cpu()
    {
        using var model = OnnxModel.Load(
            "m",
            "1",
            TestModels.Identity(TensorDatatype.Fp32, -1),
            new OnnxModelOptions { ExecutionProvider = ExecutionProvider.Cuda });

        Assert.Equal(ExecutionProvider.Cpu, model.ExecutionProvider);
    }
}
