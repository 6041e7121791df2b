namespace MlopsAspire.ControlPlane.Management;

/// <summary>What an API key may do; each role includes the ones below it.</summary>
public enum ManagementRole
{
    /// <summary>List, read, audit and watch models.</summary>
    Reader = 1,

    /// <summary>Also register versions and change their lifecycle.</summary>
    Operator = 2,

    /// <summary>Everything, including the security audit.</summary>
    Admin = 3,
}

/// <summary>The caller an API key identifies: the key's configured name and its role.</summary>
public sealed record ApiKeyIdentity(string Name, ManagementRole Role);
