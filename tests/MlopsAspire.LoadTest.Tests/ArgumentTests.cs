using MlopsAspire.LoadTest.Cli;
using MlopsAspire.LoadTest.Scenarios;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Tests;

public sealed class ArgumentTests
{
    [Theory]
    [InlineData("unknown scenario 'fraud-unray'; scenarios: fraud-unary,", "fraud-unray")]
    [InlineData("--rate must be a positive number, not 'fast'", "fraud-unary", "--rate", "fast")]
    [InlineData("--rate must be a positive number, not '0'", "fraud-unary", "--rate", "0")]
    [InlineData("--rate must be a positive number, not '-5'", "fraud-unary", "--rate=-5")]
    [InlineData("--rate needs a value", "fraud-unary", "--rate")]
    [InlineData("--duration must be a duration such as 10s, 500ms or 2m, not 'soon'", "fraud-unary", "--duration", "soon")]
    [InlineData("--rate (open model) and --concurrency (closed model) exclude each other", "fraud-unary", "--rate", "10", "--concurrency", "4")]
    [InlineData("scenario 'shadow-on' needs a running platform", "shadow-on")]
    [InlineData("scenario 'batching-off' starts its own in-process replica; drop --target", "batching-off", "--target", "localhost:8001")]
    [InlineData("scenario 'pipeline-batching-on' starts its own in-process replica; drop --target", "pipeline-batching-on", "--target", "localhost:8001")]
    [InlineData("scenario 'pipeline-batching-off' hands raw tensors to the engine; drop --encoding typed", "pipeline-batching-off", "--encoding", "typed")]
    [InlineData("--arrival must be one of constant, poisson, ramp, not 'bursty'", "fraud-unary", "--rate", "10", "--arrival", "bursty")]
    [InlineData("--max-error-rate must be a fraction between 0 and 1", "fraud-unary", "--objective-p99-ms", "10", "--max-error-rate", "5")]
    [InlineData("unknown option '--rps'", "fraud-unary", "--rps", "10")]
    [InlineData("--objective-p99-ms holds each step at one rate: --arrival constant or poisson, no ramp", "fraud-unary", "--objective-p99-ms", "10", "--arrival", "ramp", "--ramp-to", "10")]
    [InlineData("--target-rate plans replicas from a search: give the objective with --objective-p99-ms", "fraud-unary", "--target-rate", "1000")]
    [InlineData("--target-rate must be a positive number, not '0'", "fraud-unary", "--objective-p99-ms", "10", "--target-rate", "0")]
    [InlineData("name a scenario", "--rate", "10")]
    [InlineData("models needs the folder to write the demo models into", "models", "--model", "fraud")]
    [InlineData("--cores 3 does not divide into sessions of --intra-op-threads 2", "baselines", "--cores", "3", "--intra-op-threads", "2")]
    [InlineData("--intra-op-threads must be 1 or more, not 0", "baselines", "--intra-op-threads", "0")]
    [InlineData("--compute-threads is gone: every contender now gets the same cores; give them with --cores N", "baselines", "--compute-threads", "4")]
    [InlineData("--steady-within must be a fraction above 0 and below 1", "fraud-unary", "--steady-within", "5")]
    [InlineData("--max-warmup must be a duration", "fraud-unary", "--max-warmup", "forever")]
    [InlineData("--target names an address twice ('localhost:8001,localhost:8001')", "fraud-unary", "--target", "localhost:8001,localhost:8001")]
    [InlineData("--target: 'localhost:http' is not a gRPC address", "fraud-unary", "--target", "localhost:8001,localhost:http")]
    [InlineData("--objective-p99-ms finds what one replica sustains: give --target one address", "fraud-unary", "--objective-p99-ms", "20", "--target", "localhost:8001,localhost:8002")]
    [InlineData("--best tunes the contenders of baselines; use it with 'baselines'", "fraud-unary", "--best")]
    [InlineData("--best tunes every contender's intra-op threads itself; drop --intra-op-threads", "baselines", "--best", "--intra-op-threads", "2")]
    [InlineData("--tune-duration must be a duration", "baselines", "--best", "--tune-duration", "briefly")]
    [InlineData("--discover finds the targets itself: drop --target and --in-process", "fraud-unary", "--discover", "localhost:8081", "--target", "localhost:8001")]
    [InlineData("--discover finds the targets itself: drop --target and --in-process", "fraud-unary", "--discover", "localhost:8081", "--in-process")]
    [InlineData("--discover: 'localhost:mgmt' is not the management API's address; expected host:port, e.g. localhost:8081", "fraud-unary", "--discover", "localhost:mgmt")]
    [InlineData("--discover needs a value", "fraud-unary", "--discover")]
    [InlineData("--objective-p99-ms finds what one replica sustains: give --target one address instead of --discover", "fraud-unary", "--objective-p99-ms", "20", "--discover", "localhost:8081")]
    [InlineData("--discover lists one model's replicas; these scenarios call fraud and resnet18", "fraud-unary", "resnet18", "--discover", "localhost:8081")]
    [InlineData("scenario 'batching-off' starts its own in-process replica; drop --discover", "batching-off", "--discover", "localhost:8081")]
    [InlineData("--discover finds a running platform's replicas for scenarios; 'baselines' runs its own contenders", "baselines", "--discover", "localhost:8081")]
    [InlineData("--provider must be one of cpu, cuda, not 'gpu'", "baselines", "--provider", "gpu")]
    [InlineData("--provider picks where the baselines' contenders run; use it with 'baselines'", "resnet18", "--provider", "cuda")]
    [InlineData("--provider sets our replica's Inference:ExecutionProvider as well as the other contenders'; drop --set Inference:ExecutionProvider", "baselines", "--provider", "cuda", "--set", "Inference:ExecutionProvider=Cpu")]
    [InlineData("the in-process replica serves only the demo models (fraud, resnet18), not 'churn': give --target host:port of a platform serving it, or serve your model folder in-process with --set Inference:ModelRepository=DIR (DIR/churn/1/model.onnx)", "model:churn")]
    [InlineData("unknown scenario 'model:'", "model:")]
    [InlineData("--model-version describes the requests of a model named with model:NAME or model-stream:NAME; every scenario must name one", "fraud-unary", "--model-version", "2")]
    [InlineData("--shape describes one model's requests; these scenarios name churn and fraud", "model:churn", "model:fraud", "--target", "localhost:8001", "--shape", "x:1,2")]
    [InlineData("--input-data sends its inputs as given, shapes and batch included: drop --batch-size and --shape", "model:churn", "--target", "localhost:8001", "--input-data", "body.json", "--batch-size", "4")]
    [InlineData("--input-data: no file at no-such-body.json", "model:churn", "--target", "localhost:8001", "--input-data", "no-such-body.json")]
    [InlineData("--shape expects NAME:D,D,... with positive dimensions (e.g. --shape tokens:1,128), not 'tokens:1,-1'", "model:churn", "--target", "localhost:8001", "--shape", "tokens:1,-1")]
    [InlineData("--shape gives input 'tokens' twice", "model:churn", "--target", "localhost:8001", "--shape", "tokens:1,8", "--shape", "tokens:1,16")]
    public async Task A_bad_command_line_gets_one_clear_message_and_a_non_zero_exit(string expected, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await LoadTestCommand.RunAsync(args, output, error, TimeProvider.System, CancellationToken.None);

        Assert.Equal(LoadTestCommand.UsageError, exitCode);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.Equal(string.Empty, output.ToString());
    }

    [Fact]
    public void Any_model_is_named_for_unary_and_stream_calls_with_its_version_and_shapes()
    {
        var options = LoadTestArguments.Parse(["model:churn", "model-stream:churn", "--set", "Inference:ModelRepository=models", "--model-version", "2", "--shape", "tokens:4,16", "--batch-size", "4"]);

        Assert.Equal([("model:churn", CallKind.Unary), ("model-stream:churn", CallKind.Stream)], options.Scenarios.Select(scenario => (scenario.Name, scenario.Call)));
        Assert.All(options.Scenarios, scenario => Assert.True(scenario is { Model: "churn", RequestsFromTarget: true }));
        Assert.Equal("2", options.ModelVersion);
        Assert.Equal([4L, 16L], options.Shapes["tokens"]);
        Assert.Equal("models", ScenarioTarget.UserModelFolder(options.ReplicaConfiguration));
    }

    [Fact]
    public void Discover_takes_the_management_address_and_counts_as_a_platform_target()
    {
        var options = LoadTestArguments.Parse(["shadow-on", "--discover", "http://mgmt.example:8081", "--concurrency", "8"]);

        Assert.Equal(new Uri("http://mgmt.example:8081"), options.DiscoverFrom);
        Assert.True(options.TargetsPlatform);
        Assert.Empty(options.Targets);
    }

    [Fact]
    public async Task A_management_api_that_cannot_be_reached_fails_the_run_naming_the_model_and_address()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await LoadTestCommand.RunAsync(["fraud-unary", "--discover", "127.0.0.1:1", "--no-progress"], output, error, TimeProvider.System, CancellationToken.None);

        Assert.Equal(LoadTestCommand.RunFailed, exitCode);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: could not discover the replicas of fraud at 127.0.0.1:1: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Baselines_run_on_the_cpu_unless_a_provider_is_named()
    {
        Assert.Equal(ExecutionProvider.Cpu, LoadTestArguments.Parse(["baselines", "--model", "resnet18"]).Provider);
        Assert.Equal(ExecutionProvider.Cuda, LoadTestArguments.Parse(["baselines", "--model", "resnet18", "--provider", "cuda", "--batch-size", "8"]).Provider);
        Assert.Equal(ExecutionProvider.Cuda, LoadTestArguments.Parse(["baselines", "--provider=CUDA"]).Provider);
    }

    [Fact]
    public async Task Cuda_baselines_where_cuda_cannot_start_fail_with_one_line_instead_of_measuring_the_cpu()
    {
        // Tests build the CPU runtime, which has no CUDA provider on any machine.
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await LoadTestCommand.RunAsync(["baselines", "--model", "fraud", "--provider", "cuda", "--duration", "1s", "--no-progress"], output, error, TimeProvider.System, CancellationToken.None);

        Assert.Equal(LoadTestCommand.RunFailed, exitCode);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: --provider cuda: CUDA could not start (", line, StringComparison.Ordinal);
        Assert.DoesNotContain("req/s", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_search_takes_poisson_arrivals_without_a_rate_of_its_own()
    {
        var options = LoadTestArguments.Parse(["fraud-unary", "--arrival", "poisson", "--objective-p99-ms", "20", "--target-rate", "20000"]);

        Assert.True(options.IsSearch);
        Assert.Equal(ArrivalKind.Poisson, options.WorkloadFor(options.Scenarios[0]).Arrival);
        Assert.Equal(20000, options.TargetRate);
    }

    [Fact]
    public void Options_become_an_open_or_closed_workload()
    {
        var open = LoadTestArguments.Parse(["fraud-unary", "--rate", "500", "--arrival", "poisson", "--duration", "1500ms"]);
        var closed = LoadTestArguments.Parse(["resnet18", "--target", "localhost:8001"]);

        var openWorkload = open.WorkloadFor(open.Scenarios[0]);
        Assert.Equal(WorkloadModel.Open, openWorkload.Model);
        Assert.Equal(ArrivalKind.Poisson, openWorkload.Arrival);
        Assert.Equal(500, openWorkload.Rate);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), openWorkload.Duration);

        var closedWorkload = closed.WorkloadFor(closed.Scenarios[0]);
        Assert.Equal(WorkloadModel.Closed, closedWorkload.Model);
        Assert.Equal(4, closedWorkload.Concurrency); // resnet18's default
        Assert.Equal(new Uri("http://localhost:8001"), closed.Target);
    }

    [Fact]
    public async Task List_names_every_scenario()
    {
        var output = new StringWriter();

        Assert.Equal(0, await LoadTestCommand.RunAsync(["list"], output, TextWriter.Null, TimeProvider.System, CancellationToken.None));

        foreach (var name in new[] { "fraud-unary", "fraud-stream", "resnet18", "shadow-on", "shadow-off", "monitoring-on", "monitoring-off", "replicas-1", "replicas-2", "batching-on", "batching-off", "pipeline-batching-on", "pipeline-batching-off" })
        {
            Assert.Contains(name, output.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Models_writes_the_demo_fraud_model_as_a_replicas_model_folder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlopsaspire-loadtest-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var output = new StringWriter();

            Assert.Equal(0, await LoadTestCommand.RunAsync(["models", folder, "--model", "fraud"], output, TextWriter.Null, TimeProvider.System, CancellationToken.None));

            var model = Path.Combine(folder, "fraud", "1", "model.onnx");
            Assert.True(File.Exists(model), output.ToString());
            using var loaded = MlopsAspire.Serving.OnnxModel.Load("fraud", "1", await File.ReadAllBytesAsync(model));
            Assert.Equal(["Features"], loaded.Signature.Inputs.Select(input => input.Name));
            Assert.Single(Directory.GetDirectories(folder));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
