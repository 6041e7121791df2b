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

    /// <summary>Role → key name → key.</summary>
    public Dictionary<ManagementRole, Dictionary<string, string>> ApiKeys { get; set; } = [];
}
