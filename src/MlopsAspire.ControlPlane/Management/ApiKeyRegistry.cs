using Microsoft.Extensions.Options;
using MlopsAspire.ServiceDefaults;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Resolves a presented bearer key to its identity. Keys are held as SHA-256 digests and every configured key
/// is compared, in constant time, on every lookup, so timing reveals neither a key nor which one matched.
/// </summary>
public sealed partial class ApiKeyRegistry
{
    private readonly ApiKeyDigests<ApiKeyIdentity> _keys;

    public ApiKeyRegistry(IOptions<ManagementOptions> options, ILogger<ApiKeyRegistry> logger)
    {
        _keys = new(options.Value.ApiKeys
            .SelectMany(role => role.Value.Select(named => (named.Value, new ApiKeyIdentity(ActorName(role.Key, named.Key), role.Key)))));
        if (_keys.Count == 0)
        {
            LogNoKeys(logger);
        }
    }

    public int Count => _keys.Count;

    public ApiKeyIdentity? Find(string presentedKey) => _keys.Find(presentedKey);

    /// <summary>A short, non-reversible tag of a key for the security audit: enough to correlate, never the key.</summary>
    public static string Fingerprint(string presentedKey) => ApiKeyDigest.Fingerprint(presentedKey);

    // Keys configured as a list (Admin:0, Admin:1) have no name of their own.
    private static string ActorName(ManagementRole role, string name) =>
        name.All(char.IsAsciiDigit) ? $"{role.ToString().ToLowerInvariant()}-key-{name}" : name;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No management API keys are configured; every management call will be refused. Set Management:ApiKeys:<Reader|Operator|Admin>:<name> = <key>")]
    private static partial void LogNoKeys(ILogger logger);
}
