namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>The traffic shape of one measured run.</summary>
public sealed record WorkloadSettings
{
    public WorkloadModel Model { get; init; } = WorkloadModel.Closed;

    public ArrivalKind Arrival { get; init; } = ArrivalKind.Constant;

    /// <summary>Open model: requests per second (the starting rate of a ramp).</summary>
    public double Rate { get; init; }

    /// <summary>Open model with a ramp: the rate reached at the end of the run.</summary>
    public double? RampToRate { get; init; }

    /// <summary>Closed model: concurrent clients.</summary>
    public int Concurrency { get; init; } = 1;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The least traffic sent before measuring (JIT, connection set-up, ONNX Runtime arenas); not recorded. Warm-up
    /// then goes on in one-second slices until throughput is steady (<see cref="SteadyStateRule"/>), or for at most
    /// <see cref="MaxWarmup"/>.
    /// </summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The most warm-up traffic sent while waiting for steady throughput; at most this, at least <see cref="Warmup"/>.</summary>
    public TimeSpan MaxWarmup { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Warm-up is steady when the last three one-second slices lie within this of their mean (0.05: ±5 %).</summary>
    public double SteadyTolerance { get; init; } = 0.05;

    /// <summary>Open model: requests outstanding at once; a send that would exceed it waits, and is late.</summary>
    public int MaxInFlight { get; init; } = 4096;

    /// <summary>Open model: a send this far behind its intended time counts as late.</summary>
    public TimeSpan LateThreshold { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Open model: how close to a send the dispatcher stops sleeping and spins (timer sleeps are ~1 ms coarse).
    /// Zero sleeps all the way: less client CPU, up to a millisecond of extra measured latency.
    /// </summary>
    public TimeSpan SpinWindow { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How long requests still outstanding at the end may take before they are cancelled.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Seed of the Poisson arrivals.</summary>
    public int Seed { get; init; } = 1;

    public ArrivalSchedule CreateSchedule() => Arrival switch
    {
        ArrivalKind.Constant => ArrivalSchedule.Constant(Rate),
        ArrivalKind.Poisson => ArrivalSchedule.Poisson(Rate, Seed),
        ArrivalKind.Ramp => ArrivalSchedule.Ramp(Rate, RampToRate ?? Rate, Duration),
        _ => throw new ArgumentOutOfRangeException(nameof(Arrival), Arrival, null),
    };

    /// <summary>"open constant 500/s", "closed 64 clients".</summary>
    public string Describe() => Model == WorkloadModel.Closed
        ? $"closed {Concurrency} clients"
        : Arrival == ArrivalKind.Ramp
            ? $"open ramp {Rate:0.#}→{RampToRate:0.#}/s"
            : $"open {Arrival.ToString().ToLowerInvariant()} {Rate:0.#}/s";
}
