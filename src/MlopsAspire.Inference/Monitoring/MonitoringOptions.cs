namespace MlopsAspire.Inference.Monitoring;

/// <summary>Prediction statistics, shadow scoring and payload logging of a replica (section <c>Inference:Monitoring</c>).</summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Inference:Monitoring";

    /// <summary>Accumulate statistics and send them to the monitoring grains (control-plane mode only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each version's statistics are sent.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Snapshots kept for resending while the control plane is unreachable, per version; older ones are dropped.</summary>
    public int MaxPendingSnapshots { get; set; } = 120;

    /// <summary>Share of requests that carry an id whose inputs and scores are logged for joining with feedback.</summary>
    public double PayloadSampleRate { get; set; } = 1.0;

    /// <summary>Shadow requests in flight per shadow version; a copy beyond it is dropped and counted.</summary>
    public int MaxShadowInFlight { get; set; } = 64;

    /// <summary>A shadow request not answered within this is dropped and counted.</summary>
    public TimeSpan ShadowTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Input rows a replica sends per snapshot while a version has no reference profile yet.</summary>
    public int ProfileSampleRowsPerSnapshot { get; set; } = 500;

    /// <summary>How often versions without a reference profile ask for one.</summary>
    public TimeSpan ProfileRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
}
