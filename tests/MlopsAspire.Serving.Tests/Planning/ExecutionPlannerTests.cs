using MlopsAspire.Serving.Planning;
using MlopsAspire.Serving.Warmup;

namespace MlopsAspire.Serving.Tests.Planning;

/// <summary>How many executions of a version run at once when its config does not say, from warmup's timings.</summary>
public sealed class ExecutionPlannerTests
{
    private static WarmupRun Run(int batch, double milliseconds) => new(batch, TimeSpan.FromMilliseconds(milliseconds));

    [Fact]
    public void A_compute_bound_model_gets_instances_that_fill_the_cores()
    {
        // ResNet-18 on this machine: the first run pays for arenas and kernel selection, later ones ~45 ms.
        WarmupRun[] warmup = [Run(1, 480), Run(8, 350), Run(1, 46), Run(1, 44), Run(1, 51)];

        var plan = ExecutionPlanner.Choose(configuredInstances: null, intraOpThreads: 1, warmup, cores: 4);

        Assert.Equal(4, plan.Instances);
        Assert.Equal("4 instances: a batch-1 run took 44.0 ms at warmup (compute-bound), so 4 runs at once × 1 intra-op thread(s) fill the 4 cores", plan.Reason);
        Assert.Equal(2, ExecutionPlanner.Choose(null, intraOpThreads: 2, warmup, cores: 4).Instances);
    }

    [Fact]
    public void A_light_model_keeps_one_instance_even_when_its_first_run_was_slow()
    {
        // The fraud model: its cold first run takes milliseconds, a warm one microseconds.
        WarmupRun[] warmup = [Run(1, 3.2), Run(64, 0.4), Run(1, 0.012), Run(1, 0.009), Run(1, 0.7)];

        var plan = ExecutionPlanner.Choose(configuredInstances: null, intraOpThreads: 1, warmup, cores: 4);

        Assert.Equal(1, plan.Instances);
        Assert.StartsWith("1 instance: a batch-1 run took 9 µs at warmup (light", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_config_and_onnx_runtimes_own_threads_decide_without_timings()
    {
        WarmupRun[] slow = [Run(1, 100), Run(1, 90)];

        var configured = ExecutionPlanner.Choose(configuredInstances: 3, intraOpThreads: 1, slow, cores: 8);
        var ortThreads = ExecutionPlanner.Choose(configuredInstances: null, intraOpThreads: 0, slow, cores: 8);
        var untimed = ExecutionPlanner.Choose(configuredInstances: null, intraOpThreads: 1, [Run(8, 100)], cores: 8);
        var oneCore = ExecutionPlanner.Choose(configuredInstances: null, intraOpThreads: 2, slow, cores: 2);

        Assert.Equal((3, "3 instance(s), as the version's config sets instance_group.count"), (configured.Instances, configured.Reason));
        Assert.Equal(1, ortThreads.Instances);
        Assert.Contains("ONNX Runtime's choice", ortThreads.Reason, StringComparison.Ordinal);
        Assert.Equal((1, "1 instance: warmup measured no batch-1 run to plan from"), (untimed.Instances, untimed.Reason));
        Assert.Equal(1, oneCore.Instances);
        Assert.False(ExecutionPlanner.NeedsTimings(3, 1));
        Assert.False(ExecutionPlanner.NeedsTimings(null, 0));
        Assert.True(ExecutionPlanner.NeedsTimings(null, 1));
    }

    [Fact]
    public void A_loaded_version_adopts_its_plan_in_its_batching_options()
    {
        using var model = OnnxModel.Load("id", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 4));
        Assert.Equal(ExecutionPlan.Initial, model.Plan);

        model.ApplyPlan(new ExecutionPlan(2, "two"));

        Assert.Equal(2, model.Batching.InstanceCount);
        Assert.Equal("two", model.Plan.Reason);
    }
}
