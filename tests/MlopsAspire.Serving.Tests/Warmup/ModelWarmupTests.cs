using MlopsAspire.Serving.Configuration;
using MlopsAspire.Serving.Warmup;

namespace MlopsAspire.Serving.Tests.Warmup;

public sealed class ModelWarmupTests
{
    [Fact]
    public void Each_configured_batch_size_runs_the_configured_number_of_times()
    {
        using var model = TestModels.LoadFraud();

        var runs = ModelWarmup.Run(model, new WarmupConfiguration { BatchSizes = [1, 8, 32], Runs = 2 });

        Assert.Equal([1, 1, 8, 8, 32, 32], runs.Select(run => run.BatchSize));
        Assert.All(runs, run => Assert.True(run.Duration > TimeSpan.Zero));
    }

    [Fact]
    public void By_default_batch_1_and_the_max_batch_size_are_warmed()
    {
        using var model = TestModels.LoadFraud();

        var runs = ModelWarmup.Run(model);

        Assert.Equal([1, 64], runs.Select(run => run.BatchSize));
    }

    [Fact]
    public void The_configuration_file_chooses_the_warmup()
    {
        using var model = OnnxModel.Load(
            "fraud",
            "1",
            TestModels.Fraud.OnnxModel,
            configuration: ModelConfigurationParser.Parse("""{ "max_batch_size": 16, "warmup": { "batch_sizes": [2, 16], "runs": 3 } }"""));

        Assert.Equal(6, ModelWarmup.Run(model).Count);
    }

    [Fact]
    public void Warmup_does_not_count_as_traffic()
    {
        using var model = TestModels.LoadFraud();

        ModelWarmup.Run(model, new WarmupConfiguration { BatchSizes = [1, 4], Runs = 5 });

        var statistics = model.Statistics.Snapshot();
        Assert.Equal(0, statistics.ExecutionCount);
        Assert.Equal(0, statistics.InferenceCount);
    }

    [Theory]
    [MemberData(nameof(Datatypes))]
    public void Synthetic_inputs_fit_every_datatype(TensorDatatype datatype)
    {
        using var model = OnnxModel.Load("identity", "1", TestModels.Identity(datatype, -1, 3));

        var runs = ModelWarmup.Run(model, new WarmupConfiguration { BatchSizes = [1, 4], Runs = 1 });

        Assert.NotEmpty(runs);
    }

    [Fact]
    public void A_model_without_a_batch_dimension_is_warmed_at_its_fixed_shape()
    {
        using var model = OnnxModel.Load("fixed", "1", TestModels.Identity(TensorDatatype.Fp32, 2, 5));

        var runs = ModelWarmup.Run(model, new WarmupConfiguration { BatchSizes = [1, 8], Runs = 2 });

        Assert.Equal([1, 1], runs.Select(run => run.BatchSize));
    }

    [Fact]
    public void Synthetic_inputs_fill_dynamic_dimensions_and_cycle_small_values()
    {
        using var model = OnnxModel.Load("identity", "1", TestModels.Identity(TensorDatatype.Fp32, -1, -1, 2));

        var input = Assert.Single(ModelWarmup.SyntheticInputs(model.Signature, batchSize: 3));

        Assert.Equal([3L, 1L, 2L], input.Shape);
        Assert.Equal([0f, 0.5f, 1f, 0f, 0.5f, 1f], System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(input.Data.RawBytes.Span).ToArray());
    }

    public static TheoryData<TensorDatatype> Datatypes() => new(Enum.GetValues<TensorDatatype>());
}
