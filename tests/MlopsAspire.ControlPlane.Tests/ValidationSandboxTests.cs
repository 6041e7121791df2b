using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.ControlPlane.Validation;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>The validation sandbox on its own: hostile models are stopped by its limits, in a process of their own.</summary>
public sealed class ValidationSandboxTests
{
    private const long MemoryLimit = 256L * 1024 * 1024;

    [Fact]
    public async Task A_model_that_needs_more_memory_than_the_limit_is_refused_naming_the_limit()
    {
        using var validator = Validator(new FakeTimeProvider());

        var check = await validator.CheckAsync("hostile", TestOnnxModels.ConstantOfShape(2L << 30), null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(ArtifactRefusal.OverLimit, check.Refusal);
        Assert.Contains("memory limit of 256 MiB", check.Report.Detail);
        Assert.Contains("Validation:MemoryLimitBytes", check.Report.Detail);
    }

    [Fact]
    public async Task A_model_that_runs_past_the_time_limit_is_stopped_and_refused_naming_the_limit()
    {
        var time = new FakeTimeProvider();
        using var validator = Validator(time);

        var checking = validator.CheckAsync("endless", TestOnnxModels.EndlessLoop(), null, CancellationToken.None);
        // The limit runs on the injected clock: move it on until the validator gives up on the model that never ends.
        var safetyNet = Task.Delay(TimeSpan.FromMinutes(2));
        while (!checking.IsCompleted && !safetyNet.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(checking, Task.Delay(TimeSpan.FromMilliseconds(100)));
        }

        var check = await checking.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(ArtifactRefusal.OverLimit, check.Refusal);
        Assert.Contains("time limit of 30 s", check.Report.Detail);
        Assert.Contains("Validation:TimeLimit", check.Report.Detail);
    }

    [Fact]
    public async Task A_servable_model_passes_with_its_signature_and_probe_latencies()
    {
        using var validator = Validator(new FakeTimeProvider());

        var check = await validator.CheckAsync("add-bias", TestOnnxModels.AddBias(1f), """{ "max_batch_size": 4 }""", CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(ArtifactRefusal.None, check.Refusal);
        Assert.True(check.Report.Passed, check.Report.Detail);
        Assert.Equal("x FP32 [-1,4]", Assert.Single(check.Report.Inputs).ToString());
        Assert.Equal([1, 4], check.Report.LatencyMillisecondsByBatchSize.Keys.Order());
    }

    [Fact]
    public async Task External_data_is_refused_even_when_the_file_it_names_exists_beside_the_control_plane()
    {
        var location = $"weights-{Guid.NewGuid():N}.bin";
        var beside = Path.Combine(Environment.CurrentDirectory, location);
        await File.WriteAllBytesAsync(beside, TestOnnxModels.ExternalBiasFile(1f));
        try
        {
            using var validator = Validator(new FakeTimeProvider());

            var check = await validator.CheckAsync("external", TestOnnxModels.AddExternalBias(location), null, CancellationToken.None)
                .WaitAsync(TimeSpan.FromMinutes(2));

            Assert.Equal(ArtifactRefusal.NotLoadable, check.Refusal);
            Assert.Contains($"tensor 'bias' in '{location}'", check.Report.Detail);
        }
        finally
        {
            File.Delete(beside);
        }
    }

    [Fact]
    public async Task A_serving_configuration_that_does_not_fit_the_model_is_refused()
    {
        using var validator = Validator(new FakeTimeProvider());

        var check = await validator.CheckAsync("add-bias", TestOnnxModels.AddBias(1f), """{ "warmup": { "batch_sizes": [8] }, "max_batch_size": 4 }""", CancellationToken.None)
            .WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(ArtifactRefusal.InvalidConfiguration, check.Refusal);
        Assert.Contains("warmup.batch_sizes", check.Report.Detail);
    }

    private static ArtifactValidator Validator(TimeProvider time) => new(
        Options.Create(new ValidationOptions { MemoryLimitBytes = MemoryLimit, TimeLimit = TimeSpan.FromSeconds(30) }),
        time,
        NullLogger<ArtifactValidator>.Instance);
}
