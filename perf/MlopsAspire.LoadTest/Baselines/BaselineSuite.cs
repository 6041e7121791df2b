using Grpc.Core;
using Inference;
using MlopsAspire.LoadTest.Cli;
using MlopsAspire.LoadTest.Measurement;
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

    /// <param name="Comparison">Null when the run was interrupted before ours and a baseline were measured side by side.</param>
    public sealed record Result(IReadOnlyList<RunReport> Runs, ComparisonTable? Comparison, IReadOnlyList<string> Notes);

    public static async Task<Result> RunAsync(string model, LoadTestOptions options, ConsoleOutput console, TimeProvider time, CancellationToken cancellationToken)
    {
        var requests = ScenarioTarget.RequestsFor(model, options);
        var concurrency = options.Concurrency ?? (ScenarioCatalog.All.First(s => s.Model == model).DefaultConcurrency);
        var share = CoreShare.Of(options.Cores, options.IntraOpThreads);
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
        var starts = new ContenderStarts(model, modelBytes, requests, workload, options);

        ContenderSetup computeSetup = new(share), naiveSetup = new(share), oursSetup = new(share, Batching: true);
        var notes = new List<string>();
        if (options.Best)
        {
            console.Line($"baselines --best for {model}: tuning each contender's setup on {options.Cores} cores, {options.TuneDuration.TotalSeconds:0.#} s per setup after its warm-up");
            try
            {
                computeSetup = await TuneAsync(model, Compute, BestSetupChoice.Candidates(options.Cores, withBatching: false), starts.ComputeAsync, options, console, time, notes, cancellationToken).ConfigureAwait(false);
                naiveSetup = await TuneAsync(model, Naive, BestSetupChoice.Candidates(options.Cores, withBatching: false), starts.NaiveAsync, options, console, time, notes, cancellationToken).ConfigureAwait(false);
                oursSetup = await TuneAsync(model, Ours, BestSetupChoice.Candidates(options.Cores, withBatching: true), starts.OursAsync, options, console, time, notes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (cancellationToken.IsCancellationRequested && exception is OperationCanceledException or RpcException)
            {
                // Interrupted while a candidate's server was starting.
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return Interrupted(model, notes, "while tuning the contenders' setups: nothing was compared");
            }
        }

        console.Line(options.Best
            ? $"baselines for {model} on {options.ProviderName}: {concurrency} clients, batch {options.BatchSize}, best setups on {options.Cores} cores (compute {computeSetup.Describe()}, naive {naiveSetup.Describe()}, ours {oursSetup.Describe()}), {options.Repeat} repeat(s) of {options.Duration.TotalSeconds:0.#} s"
            : $"baselines for {model} on {options.ProviderName}: {concurrency} clients, batch {options.BatchSize}, each contender {share.Describe()}, {options.Repeat} repeat(s) of {options.Duration.TotalSeconds:0.#} s");
        var contenders = new List<RunningContender>();
        try
        {
            RunningContender ours;
            int responseBytes;
            try
            {
                ours = await starts.OursAsync(oursSetup, cancellationToken).ConfigureAwait(false);
                contenders.Add(ours);
                var oursAddress = ((ScenarioTarget)ours.Server!).Addresses[0];
                responseBytes = await MeasureResponseBytesAsync(oursAddress, requests, cancellationToken).ConfigureAwait(false);
                // Measured in this order: compute limit, transport limit, naive server, ours.
                contenders.Insert(0, await starts.NaiveAsync(naiveSetup, cancellationToken).ConfigureAwait(false));
                contenders.Insert(0, await starts.EchoAsync(responseBytes).ConfigureAwait(false));
                contenders.Insert(0, await starts.ComputeAsync(computeSetup, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception exception) when (cancellationToken.IsCancellationRequested && exception is OperationCanceledException or RpcException)
            {
                return Interrupted(model, notes, "while starting the contenders: nothing was measured");
            }

            var (measurements, rounds, interrupted) = await MeasureRoundsAsync(model, contenders, options, console, time, cancellationToken).ConfigureAwait(false);
            var runs = contenders
                .Where(c => measurements[c.Name].Count > 0)
                .ToDictionary(c => c.Name, c => RunReports.From(measurements[c.Name], c.Target, model, c.Call, c.Details));
            var compared = runs.ContainsKey(Ours) ? new[] { Compute, Transport, Naive }.Where(runs.ContainsKey).ToList() : [];
            var comparison = compared.Count == 0 ? null : new ComparisonTable
            {
                Title = $"{model} on {options.ProviderName}: ours ÷ baselines ({concurrency} clients, batch {options.BatchSize}{(options.Best ? ", each contender's best setup" : string.Empty)}{(rounds > 1 ? $"; req/s are medians of {rounds} interleaved runs, ratios the median of the per-run ratios" : string.Empty)})",
                Rows = [.. compared.Select(name => ComparisonRow.Of(runs[Ours], runs[name]))],
            };
            if (interrupted)
            {
                notes.Add(rounds > 0
                    ? $"{model}: interrupted: {rounds} of {options.Repeat} round(s) finished and are reported; the round cut short is left out, so that every contender is compared over the same rounds."
                    : $"{model}: interrupted in the first round: the contenders that finished their run are reported, {(comparison is null ? "and none was compared with ours, which runs last" : "compared with ours")}.");
            }

            notes.Insert(0, $"{model}: request {requests.SerializedBytes} bytes, response {responseBytes} bytes; the echo baseline sends and returns the same sizes.");
            notes.Add(options.Best
                ? $"{model}: --best: each contender ran the setup it did best with on {options.Cores} cores: the compute limit {computeSetup.Share.Lanes} thread(s) of InferenceSession.Run × {computeSetup.Share.IntraOpThreads} intra-op at batch {options.BatchSize} (no transport), the naive server {naiveSetup.Share.Lanes} run(s) at once × {naiveSetup.Share.IntraOpThreads} intra-op, ours {oursSetup.Share.Lanes} instance(s) × {oursSetup.Share.IntraOpThreads} intra-op with the batcher {(oursSetup.Batching == true ? "on" : "off")}; ours and the naive server are measured through loopback gRPC."
                : $"{model}: every contender gets {share.Describe()}: the compute limit runs {share.Lanes} thread(s) of InferenceSession.Run at batch {options.BatchSize} (no transport), the naive server at most {share.Lanes} run(s) at once, ours {share.Lanes} instance(s); ours and the naive server are measured through loopback gRPC.");
            notes.Add($"{model}: each contender was warmed until three one-second slices were within ±{options.SteadyTolerance:P0} of their mean (at least {options.Warmup.TotalSeconds:0.#} s, at most {options.MaxWarmup.TotalSeconds:0.#} s) before it was measured.");
            if (oursSetup.Batching == true)
            {
                notes.Add(BatchingNote(ours.Details));
            }

            return new Result([.. contenders.Where(c => runs.ContainsKey(c.Name)).Select(c => runs[c.Name])], comparison, notes);
        }
        finally
        {
            foreach (var contender in contenders)
            {
                await contender.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs the contenders in interleaved rounds. A run cut short by an interruption is not kept (it measured less
    /// than the others), nor is the rest of its round when an earlier round finished, so that every contender
    /// reported was measured over the same rounds.
    /// </summary>
    private static async Task<(Dictionary<string, List<RunMeasurement>> Measurements, int Rounds, bool Interrupted)> MeasureRoundsAsync(
        string model,
        IReadOnlyList<RunningContender> contenders,
        LoadTestOptions options,
        ConsoleOutput console,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var measurements = contenders.ToDictionary(c => c.Name, _ => new List<RunMeasurement>());
        for (var repeat = 0; repeat < options.Repeat; repeat++)
        {
            var round = new List<(string Name, RunMeasurement Measurement)>();
            var interrupted = false;
            foreach (var contender in contenders)
            {
                // Later repeats only need the connection and caches warm again, not the JIT.
                var rewarm = TimeSpan.FromSeconds(Math.Min(0.5, options.Warmup.TotalSeconds));
                var settings = repeat == 0 ? contender.Workload : contender.Workload with { Warmup = rewarm, MaxWarmup = rewarm };
                var measurement = await LoadRunner.RunAsync($"{model} {contender.Name}", contender.Sender, settings, time, console.Progress, cancellationToken).ConfigureAwait(false);
                interrupted = cancellationToken.IsCancellationRequested;
                if (interrupted)
                {
                    break;
                }

                round.Add((contender.Name, measurement));
                console.Summary(RunReports.From([measurement], contender.Target, model, contender.Call, contender.Details));
            }

            if (!interrupted || repeat == 0)
            {
                foreach (var (name, finished) in round)
                {
                    measurements[name].Add(finished);
                }
            }

            if (interrupted)
            {
                return (measurements, repeat, true);
            }
        }

        return (measurements, options.Repeat, false);
    }

    private static Result Interrupted(string model, List<string> notes, string when)
    {
        notes.Add($"{model}: interrupted {when}.");
        return new Result([], null, notes);
    }

    /// <summary>Runs every candidate setup of one contender briefly, each on a fresh server, and keeps the best.</summary>
    private static async Task<ContenderSetup> TuneAsync(
        string model,
        string name,
        IReadOnlyList<ContenderSetup> candidates,
        Func<ContenderSetup, CancellationToken, Task<RunningContender>> start,
        LoadTestOptions options,
        ConsoleOutput console,
        TimeProvider time,
        List<string> notes,
        CancellationToken cancellationToken)
    {
        var results = new List<TuningResult>();
        foreach (var candidate in candidates)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // The caller reports the interruption; the setups measured so far are not a tuning.
                return candidate;
            }

            await using var contender = await start(candidate, cancellationToken).ConfigureAwait(false);
            var settings = contender.Workload with { Duration = options.TuneDuration };
            var measurement = await LoadRunner.RunAsync($"{model} {name} {candidate.Describe()}", contender.Sender, settings, time, progress: null, cancellationToken).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                return candidate;
            }

            var result = new TuningResult(candidate, measurement.Throughput, LatencyHistograms.PercentileMs(measurement.Latency, 99), measurement.Failed);
            results.Add(result);
            console.Line($"  {name} {candidate.Describe()}: {Formatting.Rate(result.Throughput)} req/s, p99 {Formatting.Ms(result.P99Ms)} ms{(result.Failed > 0 ? $", {result.Failed} failed" : string.Empty)}");
        }

        var best = BestSetupChoice.Pick(results);
        console.Line($"  {name}: best {best.Setup.Describe()}");
        notes.Add($"{model}: --best tuning of {name} ({options.TuneDuration.TotalSeconds:0.#} s per setup): "
            + string.Join("; ", results.Select(result => $"{result.Setup.Describe()} {Formatting.Rate(result.Throughput)} req/s p99 {Formatting.Ms(result.P99Ms)} ms"))
            + $" → {best.Setup.Describe()}.");
        return best.Setup;
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
