using MlopsAspire.LoadTest.Scenarios;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Workloads;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Cli;

/// <summary>The parsed command line.</summary>
public sealed record LoadTestOptions
{
    public LoadTestVerb Verb { get; init; } = LoadTestVerb.Run;

    public IReadOnlyList<Scenario> Scenarios { get; init; } = [];

    /// <summary>
    /// host:port of a running platform, or of each of its replicas (requests spread over them round-robin, the way a
    /// client balancing on its own side calls them); empty means an in-process replica.
    /// </summary>
    public IReadOnlyList<Uri> Targets { get; init; } = [];

    /// <summary>
    /// The control plane's management API: the run's <see cref="Targets"/> are the replicas it lists for the
    /// scenarios' model, each at its own address (filled in before the run).
    /// </summary>
    public Uri? DiscoverFrom { get; init; }

    /// <summary>A running platform's replicas are the target, named or to be discovered.</summary>
    public bool TargetsPlatform => Targets.Count > 0 || DiscoverFrom is not null;

    /// <summary>The first of <see cref="Targets"/>; null means an in-process replica.</summary>
    public Uri? Target => Targets.Count > 0 ? Targets[0] : null;

    public double? Rate { get; init; }

    public ArrivalKind Arrival { get; init; } = ArrivalKind.Constant;

    public double? RampToRate { get; init; }

    public int? Concurrency { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Warm-up goes on until throughput is steady, for at most this long.</summary>
    public TimeSpan MaxWarmup { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How close three one-second warm-up slices must be to count as steady (0.05: ±5 % of their mean).</summary>
    public double SteadyTolerance { get; init; } = 0.05;

    public int BatchSize { get; init; } = 1;

    /// <summary>Scenarios for any model: the version to call; null calls the model's default version.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>Scenarios for any model: a KServe v2 JSON request body whose inputs are sent as given.</summary>
    public string? InputDataFile { get; init; }

    /// <summary>Scenarios for any model: whole shapes of inputs (<c>--shape name:dims</c>) instead of the chosen ones.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long>> Shapes { get; init; } = new Dictionary<string, IReadOnlyList<long>>();

    public TensorEncoding Encoding { get; init; } = TensorEncoding.Raw;

    public int Connections { get; init; } = 1;

    public int Streams { get; init; } = 4;

    public int MaxInFlight { get; init; } = 4096;

    /// <summary>How long requests still outstanding at the end of the run may take before they are cancelled.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan LateThreshold { get; init; } = TimeSpan.FromMilliseconds(1);

    public TimeSpan SpinWindow { get; init; } = TimeSpan.FromMilliseconds(1);

    public int IntraOpThreads { get; init; } = 1;

    public int Repeat { get; init; } = 1;

    public string? OutputDirectory { get; init; }

    /// <summary>The folder the <c>models</c> verb writes into.</summary>
    public string? ModelFolder { get; init; }

    public int Seed { get; init; } = 1;

    public bool Progress { get; init; } = true;

    public IReadOnlyList<string> ReplicaConfiguration { get; init; } = [];

    /// <summary>Set together with <see cref="MaxErrorRate"/>: search for the highest rate that meets them.</summary>
    public double? ObjectiveP99Ms { get; init; }

    public double MaxErrorRate { get; init; } = 0.001;

    /// <summary>With <see cref="ObjectiveP99Ms"/>: the rate to plan replicas for.</summary>
    public double? TargetRate { get; init; }

    public double StartRate { get; init; } = 100;

    public double MaxRate { get; init; } = 100_000;

    public double StepFactor { get; init; } = 1.5;

    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(5);

    public int RefineSteps { get; init; } = 3;

    /// <summary>Baselines: models to compare (fraud, resnet18).</summary>
    public IReadOnlyList<string> BaselineModels { get; init; } = ["fraud"];

    /// <summary>
    /// Baselines: the cores every contender gets. Each runs <c>cores ÷ intra-op threads</c> sessions at once: the raw
    /// loop's threads, the naive server's concurrent runs, and our replica's instances.
    /// </summary>
    public int Cores { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Baselines: tune each contender's setup (sessions × intra-op threads, and our batcher on or off) on
    /// <see cref="Cores"/> before measuring, and compare best with best.
    /// </summary>
    public bool Best { get; init; }

    /// <summary>
    /// Baselines: where every contender runs its model: the raw loop's and the naive server's sessions and our
    /// replica (<c>Inference:ExecutionProvider</c>). CUDA that cannot start fails the run; nothing falls back.
    /// </summary>
    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>"cpu" or "cuda", as the command line and the reports spell it.</summary>
    public string ProviderName => Provider.ToString().ToLowerInvariant();

    /// <summary>Baselines with <see cref="Best"/>: how long each candidate setup is measured, after its warm-up.</summary>
    public TimeSpan TuneDuration { get; init; } = TimeSpan.FromSeconds(3);

    public bool IsSearch => ObjectiveP99Ms is not null;

    public WorkloadSettings WorkloadFor(Scenario scenario) => new()
    {
        Model = Rate is null ? WorkloadModel.Closed : WorkloadModel.Open,
        Arrival = Arrival,
        Rate = Rate ?? 0,
        RampToRate = RampToRate,
        Concurrency = Concurrency ?? scenario.DefaultConcurrency,
        Duration = Duration,
        Warmup = Warmup,
        MaxWarmup = MaxWarmup,
        SteadyTolerance = SteadyTolerance,
        MaxInFlight = MaxInFlight,
        DrainTimeout = DrainTimeout,
        LateThreshold = LateThreshold,
        SpinWindow = SpinWindow,
        Seed = Seed,
    };

    public string TargetDescription => Target is null ? "in-process replica" : string.Join(", ", Targets.Select(target => target.Authority));
}
