namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Settings of the management API (section <c>Management</c>). API keys are configured per role and name:
/// <c>Management:ApiKeys:Operator:ci-pipeline = &lt;key&gt;</c> (environment variable
/// <c>Management__ApiKeys__Operator__ci-pipeline</c>); the name is what the audit trail records as the actor.
/// </summary>
public sealed class ManagementOptions
{
    public const string SectionName = "Management";

    /// <summary>The largest artifact a registration may upload. ResNet-18 is 64 MB.</summary>
    public long MaxArtifactBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>How often a watch renews its subscription (and catches up on a change it might have missed).</summary>
    public TimeSpan WatchRenewInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Refusals of one caller recorded one by one in the security audit per <see cref="RefusalAuditInterval"/>;
    /// the rest of the interval's are counted and recorded as one summary entry.
    /// </summary>
    public int RefusalAuditLimit { get; set; } = 20;

    /// <summary>The interval a caller's <see cref="RefusalAuditLimit"/> applies to.</summary>
    public TimeSpan RefusalAuditInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Role → key name → key.</summary>
    public Dictionary<ManagementRole, Dictionary<string, string>> ApiKeys { get; set; } = [];
}
