using Inference;
using MlopsAspire.LoadTest.Cli;
using MlopsAspire.LoadTest.Reports;
using MlopsAspire.LoadTest.Scenarios;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Targets;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Baselines;

/// <summary>
/// Puts our replica next to the limits it works within, measured in the same process by the same closed-model
/// client at the same concurrency: the compute limit (raw ONNX Runtime Run in a loop, no transport), the
/// transport limit (a bare gRPC echo with the same request and response sizes), and a naive server (the protocol
/// over one Run per request). Repeats interleave the four, so that a noisy machine disturbs them alike.
/// </summary>
public static class BaselineSuite
{
    public const string Compute = "onnxruntime-loop";
    public const string Transport = "grpc-echo";
    public const string Naive = "naive-server";
    public const string Ours = "ours";

    public sealed record Result(IReadOnlyList<RunReport> Runs, ComparisonTable Comparison, IReadOnlyList<string> Notes);

    public static async Task<Result> RunAsync(string model, LoadTestOptions options, ConsoleOutput console, TimeProvider time, CancellationToken cancellationToken)
    {
        var requests = ScenarioTarget.RequestsFor(model, options);
        var concurrency = options.Concurrency ?? (ScenarioCatalog.All.First(s => s.Model == model).DefaultConcurrency);
        var share = CoreShare.Of(options.Cores, options.IntraOpThreads);
        var lanes = share.Lanes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var intraOp = share.IntraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var modelBytes = DemoModelFiles.Load(model);
        var workload = new WorkloadSettings
        {
            Model = WorkloadModel.Closed,
            Concurrency = concurrency,
            Duration = options.Duration,
            Warmup = options.Warmup,
            MaxWarmup = options.MaxWarmup,
            SteadyTolerance = options.SteadyTolerance,
        };

        console.Line($"baselines for {model}: {concurrency} clients, batch {options.BatchSize}, each contender {share.Describe()}, {options.Repeat} repeat(s) of {options.Duration.TotalSeconds:0.#} s");
        await using var ours = await ScenarioTarget.StartInProcessAsync(
            [model],
            new ReplicaSettings { Batching = true, IntraOpThreads = share.IntraOpThreads, Instances = share.Lanes, ExtraConfiguration = options.ReplicaConfiguration },
            replicaCount: 1,
            cancellationToken).ConfigureAwait(false);
        var responseBytes = await MeasureResponseBytesAsync(ours.Addresses[0], requests, cancellationToken).ConfigureAwait(false);
        await using var naive = await NaiveOnnxInferenceService.StartAsync(model, modelBytes, share.IntraOpThreads, share.Lanes).ConfigureAwait(false);
        await using var echo = await EchoGrpcService.StartAsync().ConfigureAwait(false);

        var contenders = new (string Name, string Target, string Call, WorkloadSettings Workload, IRequestSender Sender, IReadOnlyDictionary<string, string> Details)[]
        {
            (Compute, "in-process ONNX Runtime", "onnxruntime", workload with { Concurrency = share.Lanes },
                new RawOnnxRuntimeSender(modelBytes, requests, share.IntraOpThreads),
                new Dictionary<string, string> { ["threads"] = lanes, ["intra-op"] = intraOp }),
            (Transport, "gRPC echo (loopback)", "echo", workload,
                new EchoSender(GrpcChannels.CreateMany(echo.Address, options.Connections), requests.SerializedBytes, responseBytes),
                new Dictionary<string, string> { ["requestBytes"] = requests.SerializedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), ["responseBytes"] = responseBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            (Naive, "naive OIP server (loopback)", "unary", workload,
                new UnaryInferSender(GrpcChannels.CreateMany(naive.Address, options.Connections), requests),
                new Dictionary<string, string> { ["runs at once"] = lanes, ["intra-op"] = intraOp }),
            (Ours, ours.Description, "unary", workload,
                new UnaryInferSender(GrpcChannels.CreateMany(ours.Addresses[0], options.Connections), requests),
                ours.Details),
        };

        var measurements = contenders.ToDictionary(c => c.Name, _ => new List<RunMeasurement>());
        try
        {
            for (var repeat = 0; repeat < options.Repeat; repeat++)
            {
                foreach (var contender in contenders)
                {
                    // Later repeats only need the connection and caches warm again, not the JIT.
                    var rewarm = TimeSpan.FromSeconds(Math.Min(0.5, options.Warmup.TotalSeconds));
                    var settings = repeat == 0 ? contender.Workload : contender.Workload with { Warmup = rewarm, MaxWarmup = rewarm };
                    var measurement = await LoadRunner.RunAsync($"{model} {contender.Name}", contender.Sender, settings, time, console.Progress, cancellationToken).ConfigureAwait(false);
                    measurements[contender.Name].Add(measurement);
                    console.Summary(RunReports.From([measurement], contender.Target, model, contender.Call, contender.Details));
                }
            }
        }
        finally
        {
            foreach (var contender in contenders)
            {
                await contender.Sender.DisposeAsync().ConfigureAwait(false);
            }
        }

        var runs = contenders.ToDictionary(
            c => c.Name,
            c => RunReports.From(measurements[c.Name], c.Target, model, c.Call, c.Details));
        var comparison = new ComparisonTable
        {
            Title = $"{model}: ours ÷ baselines ({concurrency} clients{(options.Repeat > 1 ? $"; req/s are medians of {options.Repeat} interleaved runs, ratios the median of the per-run ratios" : string.Empty)})",
            Rows = [.. new[] { Compute, Transport, Naive }.Select(name => ComparisonRow.Of(runs[Ours], runs[name]))],
        };

        var notes = new List<string>
        {
            $"{model}: request {requests.SerializedBytes} bytes, response {responseBytes} bytes; the echo baseline sends and returns the same sizes.",
            $"{model}: every contender gets {share.Describe()}: the compute limit runs {share.Lanes} thread(s) of InferenceSession.Run at batch {options.BatchSize} (no transport), the naive server at most {share.Lanes} run(s) at once, ours {share.Lanes} instance(s); ours and the naive server are measured through loopback gRPC.",
            $"{model}: each contender was warmed until three one-second slices were within ±{options.SteadyTolerance:P0} of their mean (at least {options.Warmup.TotalSeconds:0.#} s, at most {options.MaxWarmup.TotalSeconds:0.#} s) before it was measured.",
            BatchingNote(ours.Details),
        };
        return new Result([.. contenders.Select(c => runs[c.Name])], comparison, notes);
    }

    /// <summary>Says whether Inference:Batching:Enabled=true took effect, judged by the executor the replica resolved.</summary>
    public static string BatchingNote(IReadOnlyDictionary<string, string> details)
    {
        var executor = details.TryGetValue("executor", out var name) ? name : "unknown";
        return executor.Contains("Inline", StringComparison.Ordinal)
            ? $"Inference:Batching:Enabled=true was set, but the replica ran requests with {executor} (one Run per request): no batcher was wired in, so 'ours' is unbatched."
            : $"The replica ran requests with {executor}.";
    }

    private static async Task<int> MeasureResponseBytesAsync(Uri address, InferRequestSet requests, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannels.Create(address);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var response = await client.ModelInferAsync(requests.First, cancellationToken: cancellationToken);
        return response.CalculateSize();
    }
}
