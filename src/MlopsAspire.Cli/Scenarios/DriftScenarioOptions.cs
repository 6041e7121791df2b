namespace MlopsAspire.Cli.Scenarios;

/// <summary>
/// How <see cref="DriftScenario"/> drives traffic: an open-loop stream of labelled fraud requests whose label
/// pattern changes at <see cref="SteadyDuration"/>, with ground truth sent back after <see cref="FeedbackDelay"/>.
/// </summary>
public sealed record DriftScenarioOptions
{
    public string ModelName { get; init; } = "fraud";

    /// <summary>Requests started per second whatever the latency (open loop), so a slow server cannot slow the clock.</summary>
    public double RequestsPerSecond { get; init; } = 50;

    public int RowsPerRequest { get; init; } = 16;

    /// <summary>How long labels follow the original pattern before concept drift starts.</summary>
    public TimeSpan SteadyDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the whole run lasts, steady state included.</summary>
    public TimeSpan TotalDuration { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// End early once buckets served wholly by a new production version cover this long; null runs for
    /// <see cref="TotalDuration"/>.
    /// </summary>
    public TimeSpan? StopAfterRecovery { get; init; }

    /// <summary>Concept drift after <see cref="SteadyDuration"/>, in [0, 1] (see the fraud data generator).</summary>
    public double ConceptDrift { get; init; } = 1.0;

    /// <summary>Age a response must reach before its labels are sent, as ground truth arrives late in production.</summary>
    public TimeSpan FeedbackDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often ripe labels are sent, as one feedback batch.</summary>
    public TimeSpan FeedbackInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Width of the time buckets accuracy and AUC are measured in.</summary>
    public TimeSpan BucketWidth { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Buckets starting earlier than this are left out of the pre-drift baseline (caches and batchers warm up).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the model's routes (production, canary, shadows) are read.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Deadline of one inference call.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Calls allowed in flight; beyond it a due request is skipped and counted, so a stalled server cannot exhaust memory.</summary>
    public int MaxInFlight { get; init; } = 512;

    /// <summary>Recovered means post-recovery accuracy is within this distance of pre-drift accuracy.</summary>
    public double RecoveryTolerance { get; init; } = 0.02;

    /// <summary>Seed of the generated transactions; the default keeps them apart from the demo model's training rows (seed 42).</summary>
    public int Seed { get; init; } = 7;

    /// <summary>The model's input: FP32 [rows, features].</summary>
    public string InputName { get; init; } = "Features";

    /// <summary>The output holding the fraud probability, one per row.</summary>
    public string ProbabilityOutputName { get; init; } = "Probability.output";

    /// <summary>Everything wrong with these options, each naming the option; empty when they can run.</summary>
    public IReadOnlyList<DriftOptionProblem> Problems()
    {
        var problems = new List<DriftOptionProblem>();
        void Require(bool condition, string option, string problem)
        {
            if (!condition)
            {
                problems.Add(new DriftOptionProblem(option, problem));
            }
        }

        Require(!string.IsNullOrWhiteSpace(ModelName), nameof(ModelName), "must name a model");
        Require(RequestsPerSecond is > 0 and <= 10_000, nameof(RequestsPerSecond), $"must be above 0 and at most 10000 requests per second (got {RequestsPerSecond})");
        Require(RowsPerRequest is >= 1 and <= 10_000, nameof(RowsPerRequest), $"must be between 1 and 10000 rows (got {RowsPerRequest})");
        Require(ConceptDrift is >= 0 and <= 1, nameof(ConceptDrift), $"must be between 0 and 1 (got {ConceptDrift})");
        Require(BucketWidth > TimeSpan.Zero, nameof(BucketWidth), "must be positive");
        Require(Warmup >= TimeSpan.Zero, nameof(Warmup), "must not be negative");
        Require(
            SteadyDuration >= Warmup + BucketWidth,
            nameof(SteadyDuration),
            $"must cover the warm-up ({Warmup.TotalSeconds:0.###}s) and at least one bucket ({BucketWidth.TotalSeconds:0.###}s) so there is a pre-drift baseline (got {SteadyDuration.TotalSeconds:0.###}s)");
        Require(
            TotalDuration > SteadyDuration,
            nameof(TotalDuration),
            $"must be longer than the steady state ({SteadyDuration.TotalSeconds:0.###}s) so drift happens (got {TotalDuration.TotalSeconds:0.###}s)");
        Require(StopAfterRecovery is null || StopAfterRecovery > TimeSpan.Zero, nameof(StopAfterRecovery), "must be positive when set");
        Require(FeedbackDelay >= TimeSpan.Zero, nameof(FeedbackDelay), "must not be negative");
        Require(FeedbackInterval > TimeSpan.Zero, nameof(FeedbackInterval), "must be positive");
        Require(PollInterval > TimeSpan.Zero, nameof(PollInterval), "must be positive");
        Require(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), "must be positive");
        Require(MaxInFlight >= 1, nameof(MaxInFlight), "must be at least 1");
        Require(RecoveryTolerance is >= 0 and <= 1, nameof(RecoveryTolerance), $"must be between 0 and 1 (got {RecoveryTolerance})");
        Require(!string.IsNullOrWhiteSpace(InputName), nameof(InputName), "must name the model's input");
        Require(!string.IsNullOrWhiteSpace(ProbabilityOutputName), nameof(ProbabilityOutputName), "must name the model's probability output");
        return problems;
    }
}
