using MlopsAspire.Serving.Batching;
using MlopsAspire.Serving.Configuration;
using MlopsAspire.Serving.Warmup;

namespace MlopsAspire.Serving.Tests.Configuration;

public sealed class ModelConfigurationTests
{
    [Fact]
    public void Every_field_is_read()
    {
        var configuration = ModelConfigurationParser.Parse(
            """
            {
              // Comments and trailing commas are allowed.
              "max_batch_size": 32,
              "dynamic_batching": {
                "max_queue_delay_microseconds": 250,
                "preferred_batch_size": [16, 8],
                "max_queue_size": 500,
                "max_queue_bytes": 268435456,
                "default_timeout_microseconds": 20000,
                "priority_levels": 3,
                "default_priority_level": 2,
                "latency_objective_ms": 12.5,
              },
              "instance_group": { "count": 2 },
              "optimization": { "intra_op_threads": 1, "inter_op_threads": 2, "graph_optimization_level": "extended", "enable_cpu_mem_arena": false },
              "execution_provider": "cuda",
              "device_id": 1,
              "warmup": { "batch_sizes": [1, 32], "runs": 3 },
              "version_policy": { "specific": [3, 1] }
            }
            """,
            "models/fraud/config.json");

        Assert.Equal("models/fraud/config.json", configuration.Source);
        Assert.Equal(32, configuration.MaxBatchSize);
        var batching = configuration.DynamicBatching;
        Assert.Equal(250, batching.MaxQueueDelayMicroseconds);
        Assert.Equal([8, 16], batching.PreferredBatchSizes);
        Assert.Equal(500, batching.MaxQueueSize);
        Assert.Equal(256L * 1024 * 1024, batching.MaxQueueBytes);
        Assert.Equal(20000, batching.DefaultTimeoutMicroseconds);
        Assert.Equal(3, batching.PriorityLevels);
        Assert.Equal(2, batching.DefaultPriorityLevel);
        Assert.Equal(12.5, batching.LatencyObjectiveMs);
        Assert.Equal(2, configuration.InstanceCount);
        Assert.Equal(new OptimizationConfiguration { IntraOpThreads = 1, InterOpThreads = 2, GraphOptimizationLevel = GraphOptimization.Extended, EnableCpuMemArena = false }, configuration.Optimization);
        Assert.Equal(ExecutionProvider.Cuda, configuration.ExecutionProvider);
        Assert.Equal(1, configuration.DeviceId);
        Assert.Equal([1, 32], configuration.Warmup!.BatchSizes);
        Assert.Equal(3, configuration.Warmup.Runs);
        Assert.Equal(VersionPolicyKind.Specific, configuration.VersionPolicy.Kind);
        Assert.Equal([1L, 3L], configuration.VersionPolicy.SpecificVersions);
    }

    [Fact]
    public void Serving_settings_and_the_model_contract_share_one_document()
    {
        var configuration = ModelConfigurationParser.Parse("""
            { "max_batch_size": 16, "task": "regression", "inputs": { "x": { "features": ["a", "b"] } }, "outputs": { "score": "y" } }
            """);

        Assert.Equal(16, configuration.MaxBatchSize);
        Assert.Equal(MlopsAspire.ModelContracts.ModelTask.Regression, configuration.Contract.Task);
        Assert.Equal(["a", "b"], configuration.Contract.Inputs.Single().Features);
        Assert.Equal("y", configuration.Contract.Outputs.Score!.Name);
        Assert.True(ModelConfigurationParser.Parse("{}").Contract.IsEmpty);
    }

    [Fact]
    public void An_empty_file_takes_every_default()
    {
        var configuration = ModelConfigurationParser.Parse("{}");

        Assert.Null(configuration.MaxBatchSize);
        Assert.Null(configuration.InstanceCount);
        Assert.Null(configuration.Warmup);
        Assert.Equal("latest 1", configuration.VersionPolicy.ToString());
    }

    [Theory]
    [InlineData("""{ "max_batch_sise": 8 }""", "m/config.json: unknown field 'max_batch_sise'; allowed fields are max_batch_size, dynamic_batching, instance_group, optimization, execution_provider, device_id, warmup, version_policy, task, inputs, outputs, feedback, training")]
    [InlineData("""{ "max_batch_size": 8, "outputs": { "scores": "p" } }""", "m/config.json: unknown field 'outputs.scores'; allowed fields of 'outputs' are score, label, classes")]
    [InlineData("""{ "max_batch_size": -1 }""", "m/config.json: 'max_batch_size' must be an integer from 0 to 1048576; got -1")]
    [InlineData("""{ "max_batch_size": 2.5 }""", "m/config.json: 'max_batch_size' must be an integer from 0 to 1048576; got 2.5")]
    [InlineData("""{ "max_batch_size": "8" }""", "m/config.json: 'max_batch_size' must be an integer from 0 to 1048576; got \"8\"")]
    [InlineData("""{ "dynamic_batching": { "max_queue_size": 0 } }""", "m/config.json: 'dynamic_batching.max_queue_size' must be an integer of at least 1; got 0")]
    [InlineData("""{ "dynamic_batching": { "max_queue_bytes": 0 } }""", "m/config.json: 'dynamic_batching.max_queue_bytes' must be an integer of at least 1; got 0")]
    [InlineData("""{ "dynamic_batching": { "max_queue_bytes": "1GB" } }""", "m/config.json: 'dynamic_batching.max_queue_bytes' must be an integer of at least 1; got \"1GB\"")]
    [InlineData("""{ "dynamic_batching": { "delay": 5 } }""", "m/config.json: unknown field 'dynamic_batching.delay'; allowed fields of 'dynamic_batching' are max_queue_delay_microseconds, preferred_batch_size, max_queue_size, max_queue_bytes, default_timeout_microseconds, priority_levels, default_priority_level, latency_objective_ms")]
    [InlineData("""{ "dynamic_batching": { "latency_objective_ms": 0 } }""", "m/config.json: 'dynamic_batching.latency_objective_ms' must be a positive number; got 0")]
    [InlineData("""{ "max_batch_size": 8, "dynamic_batching": { "preferred_batch_size": [4, 16] } }""", "m/config.json: 'dynamic_batching.preferred_batch_size' must hold sizes from 1 to max_batch_size (8); got 16")]
    [InlineData("""{ "dynamic_batching": { "priority_levels": 2, "default_priority_level": 3 } }""", "m/config.json: 'dynamic_batching.default_priority_level' must be from 1 to priority_levels (2), or 0 for the lowest level; got 3")]
    [InlineData("""{ "instance_group": { "count": 0 } }""", "m/config.json: 'instance_group.count' must be an integer from 1 to 64; got 0")]
    [InlineData("""{ "optimization": { "graph_optimization_level": "max" } }""", "m/config.json: 'optimization.graph_optimization_level' must be one of disable, basic, extended, all; got \"max\"")]
    [InlineData("""{ "optimization": { "enable_cpu_mem_arena": 1 } }""", "m/config.json: 'optimization.enable_cpu_mem_arena' must be true or false; got 1")]
    [InlineData("""{ "execution_provider": "tpu" }""", "m/config.json: 'execution_provider' must be one of cpu, cuda; got \"tpu\"")]
    [InlineData("""{ "max_batch_size": 4, "warmup": { "batch_sizes": [8] } }""", "m/config.json: 'warmup.batch_sizes' must hold sizes from 1 to max_batch_size (4); got 8")]
    [InlineData("""{ "version_policy": { "latest": 1, "all": true } }""", "m/config.json: 'version_policy' must hold exactly one of latest, specific or all; got more than one")]
    [InlineData("""{ "version_policy": {} }""", "m/config.json: 'version_policy' must hold exactly one of latest, specific or all; got an empty object")]
    [InlineData("""{ "version_policy": { "specific": [] } }""", "m/config.json: 'version_policy.specific' must be a non-empty array of version numbers; got an array of 0")]
    [InlineData("""[1]""", "m/config.json: '(root)' must be an object; got an array of 1")]
    public void A_bad_value_names_the_file_the_field_and_what_is_allowed(string json, string message)
    {
        var exception = Assert.Throws<ModelConfigurationException>(() => ModelConfigurationParser.Parse(json, "m/config.json"));

        Assert.Equal(message, exception.Message);
    }

    [Fact]
    public void Invalid_json_names_the_file()
    {
        var exception = Assert.Throws<ModelConfigurationException>(() => ModelConfigurationParser.Parse("{ \"max_batch_size\": ", "m/config.json"));

        Assert.StartsWith("m/config.json: not valid JSON", exception.Message);
    }

    [Fact]
    public void A_folder_without_a_config_file_has_no_configuration()
    {
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            Assert.Null(ModelConfigurationParser.LoadFromFolder(folder.FullName));

            File.WriteAllText(Path.Combine(folder.FullName, ModelConfigurationParser.FileName), """{ "max_batch_size": 4 }""");
            var configuration = ModelConfigurationParser.LoadFromFolder(folder.FullName);

            Assert.Equal(4, configuration!.MaxBatchSize);
            Assert.Equal(Path.Combine(folder.FullName, "config.json"), configuration.Source);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Small_rows_default_to_batches_of_64_greedy_with_a_queue_of_1024_batches()
    {
        using var model = TestModels.LoadFraud();

        var options = model.Batching;

        Assert.Equal(64, options.MaxBatchSize);
        Assert.Equal(TimeSpan.Zero, options.MaxQueueDelay);
        Assert.Equal(1024 * 64, options.MaxQueueSize);
        Assert.Equal(BatchingOptions.DefaultMaxQueueBytes, options.MaxQueueBytes);
        Assert.Equal(1, options.InstanceCount);
        Assert.Equal(1, options.PriorityLevels);
        Assert.Null(options.DefaultTimeout);
        Assert.Null(options.LatencyObjective);
    }

    [Fact]
    public void Queue_bytes_default_to_an_eighth_of_the_memory_the_process_may_use_and_a_configured_bound_wins()
    {
        Assert.Equal(Math.Max(64L * 1024 * 1024, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8), BatchingOptions.DefaultMaxQueueBytes);
        Assert.Equal(2 * BatchingOptions.DefaultMaxQueueBytes, QueueByteBudget.DefaultLimit);

        var configuration = ModelConfigurationParser.Parse("""{ "dynamic_batching": { "max_queue_bytes": 1048576 } }""");
        Assert.Equal(1024 * 1024, BatchingOptions.Resolve(configuration, TestModels.LoadFraud().Signature).MaxQueueBytes);
    }

    [Fact]
    public void Image_sized_rows_default_to_batches_of_8()
    {
        using var model = OnnxModel.Load("images", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 3, 224, 224));

        Assert.Equal(8, model.Batching.MaxBatchSize);
        Assert.Equal(8 * 1024, model.Batching.MaxQueueSize);
    }

    [Fact]
    public void Models_without_a_batch_dimension_default_to_no_batching()
    {
        using var fixedShape = OnnxModel.Load("fixed", "1", TestModels.Identity(TensorDatatype.Fp32, 1, 4));
        using var strings = OnnxModel.Load("text", "1", TestModels.Identity(TensorDatatype.Bytes, -1));

        Assert.Equal(0, fixedShape.Batching.MaxBatchSize);
        Assert.Equal(0, strings.Batching.MaxBatchSize);
        Assert.Equal(1024, strings.Batching.MaxQueueSize);
    }

    [Fact]
    public void Asking_to_batch_a_model_without_a_batch_dimension_fails_the_load()
    {
        var configuration = ModelConfigurationParser.Parse("""{ "max_batch_size": 8 }""", "fixed/config.json");

        var exception = Assert.Throws<ModelConfigurationException>(() =>
            OnnxModel.Load("fixed", "1", TestModels.Identity(TensorDatatype.Fp32, 1, 4), configuration: configuration));

        Assert.StartsWith("fixed/config.json: 'max_batch_size' must be 0 for this model; got 8.", exception.Message);
        Assert.Contains("x FP32 [1,4]", exception.Message);
    }

    [Fact]
    public void Configured_values_resolve_into_batching_options()
    {
        var configuration = ModelConfigurationParser.Parse(
            """
            {
              "max_batch_size": 16,
              "dynamic_batching": { "max_queue_delay_microseconds": 100, "preferred_batch_size": [4, 8], "default_timeout_microseconds": 5000,
                                    "priority_levels": 2, "latency_objective_ms": 20 },
              "instance_group": { "count": 3 }
            }
            """);

        var options = BatchingOptions.Resolve(configuration, TestModels.LoadFraud().Signature);

        Assert.Equal(16, options.MaxBatchSize);
        Assert.Equal(TimeSpan.FromMicroseconds(100), options.MaxQueueDelay);
        Assert.Equal([4, 8], options.PreferredBatchSizes);
        Assert.Equal(16 * 1024, options.MaxQueueSize);
        Assert.Equal(BatchingOptions.DefaultMaxQueueBytes, options.MaxQueueBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.DefaultTimeout);
        Assert.Equal(2, options.PriorityLevels);
        Assert.Equal(2, options.DefaultPriorityLevel);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.LatencyObjective);
        Assert.Equal(3, options.InstanceCount);
    }

    [Fact]
    public void Session_settings_of_the_configuration_override_the_servers()
    {
        var server = new OnnxModelOptions { IntraOpThreads = 4, InterOpThreads = 1, DeviceId = 0 };
        var configuration = new ModelConfiguration
        {
            Optimization = new OptimizationConfiguration { IntraOpThreads = 1, GraphOptimizationLevel = GraphOptimization.Basic, EnableCpuMemArena = false },
            ExecutionProvider = ExecutionProvider.Cuda,
        };

        var options = configuration.ApplyTo(server);

        Assert.Equal(1, options.IntraOpThreads);
        Assert.Equal(1, options.InterOpThreads);
        Assert.Equal(GraphOptimization.Basic, options.GraphOptimizationLevel);
        Assert.False(options.EnableCpuMemArena);
        Assert.Equal(ExecutionProvider.Cuda, options.ExecutionProvider);
        Assert.Equal(4, server.IntraOpThreads);
    }

    [Fact]
    public void A_model_loads_and_answers_with_every_optimisation_level_and_without_the_arena()
    {
        foreach (var level in Enum.GetValues<GraphOptimization>())
        {
            using var model = OnnxModel.Load(
                "fraud",
                "1",
                TestModels.Fraud.OnnxModel,
                new OnnxModelOptions { IntraOpThreads = 1 },
                configuration: new ModelConfiguration { Optimization = new OptimizationConfiguration { GraphOptimizationLevel = level, EnableCpuMemArena = false } });

            Assert.NotEmpty(ModelWarmup.Run(model));
        }
    }

    [Theory]
    [InlineData("""{ "latest": 2 }""", new long[] { 3, 10 })]
    [InlineData("""{ "specific": [1, 4] }""", new long[] { 1 })]
    [InlineData("""{ "all": true }""", new long[] { 1, 2, 3, 10 })]
    public void The_version_policy_selects_versions_numerically(string policy, long[] expected)
    {
        var configuration = ModelConfigurationParser.Parse($$"""{ "version_policy": {{policy}} }""");

        Assert.Equal(expected, configuration.VersionPolicy.Select([10, 2, 1, 3]));
    }
}
