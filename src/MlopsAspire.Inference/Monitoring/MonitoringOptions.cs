namespace MlopsAspire.Inference.Monitoring;

/// <summary>Prediction statistics, shadow scoring and payload logging of a replica (section <c>Inference:Monitoring</c>).</summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Inference:Monitoring";

    /// <summary>Accumulate statistics and send them to the monitoring grains (control-plane mode only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each version's statistics are sent.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a stopping replica tries to deliver its last statistics. When the whole platform stops, the control
    /// plane stops at the same moment, so the last snapshot arrives only while its silo is still up, or not at all;
    /// the replica does not wait longer than that for it.
    /// </summary>
    public TimeSpan FinalFlushTimeout { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// How long a stopping replica tries to withdraw its model load reports, so operators stop counting it. A control
    /// plane that does not answer in that time counts the replica until its reports go stale. A live control plane
    /// answers in milliseconds; one that stopped with the platform never does, and the wait then adds to the replica's
    /// stop: with the last statistics (<see cref="FinalFlushTimeout"/>) and telemetry (1 s) it must end within the
    /// 6 s the orchestrator allows before it kills the process.
    /// </summary>
    public TimeSpan LoadReportWithdrawalTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Snapshots kept for resending while the control plane is unreachable, per version; older ones are dropped.</summary>
    public int MaxPendingSnapshots { get; set; } = 120;

    /// <summary>Share of requests that carry an id whose inputs and scores are logged for joining with feedback.</summary>
    public double PayloadSampleRate { get; set; } = 1.0;

    /// <summary>
    /// Shadow scores logged beside production's payload per shadow version and second, for the accuracy gate.
    /// Each is one more store write per request; the gate needs hundreds of labelled rows, not every request.
    /// 0 logs none.
    /// </summary>
    public int MaxShadowScoresLoggedPerSecond { get; set; } = 500;

    /// <summary>Shadow copies queued or running per shadow version; a copy beyond it is dropped and counted.</summary>
    public int MaxShadowInFlight { get; set; } = 64;

    /// <summary>
    /// Dedicated threads that run shadow copies (never the request threads' pool). Each takes the copies waiting
    /// for a shadow as one batch, so one thread keeps up with a full-rate shadow of a small model; more only help
    /// with expensive shadows on machines with cores to spare.
    /// </summary>
    public int ShadowThreads { get; set; } = 1;

    /// <summary>
    /// Lower the shadow threads below request threads (Linux <c>SCHED_IDLE</c>, else the lowest priority the system
    /// grants). Off by default: on a busy 2-core machine it made no difference beyond the noise, and an idle-priority
    /// thread in a managed process has costs of its own (a garbage collection waits for it to reach a safe point,
    /// and threads it happens to start inherit its priority).
    /// </summary>
    public bool ShadowLowPriority { get; set; }

    /// <summary>
    /// How long a shadow's copies may gather before its thread runs them as one batch (versions that batch only;
    /// shorter once the batch is full or half of <see cref="MaxShadowInFlight"/> waits). One Run of many rows costs
    /// much less than a Run per request, and fewer wake-ups of the shadow thread take fewer cores from requests.
    /// Nothing waits for a shadow; its latency statistics count its batch's run, not this wait. 0 runs what waits.
    /// </summary>
    public TimeSpan ShadowBatchWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>A shadow copy that waited this long for a shadow thread is dropped and counted.</summary>
    public TimeSpan ShadowTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Input rows a replica sends per snapshot while a version has no reference profile yet.</summary>
    public int ProfileSampleRowsPerSnapshot { get; set; } = 500;

    /// <summary>How often versions without a reference profile ask for one.</summary>
    public TimeSpan ProfileRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
}
