using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Resolves a presented bearer key to its identity. Keys are held as SHA-256 digests and every configured key
/// is compared, in constant time, on every lookup, so timing reveals neither a key nor which one matched.
/// </summary>
public sealed class ApiKeyRegistry
{
    private readonly (byte[] Digest, ApiKeyIdentity Identity)[] _keys;

    public ApiKeyRegistry(IOptions<ManagementOptions> options, ILogger<ApiKeyRegistry> logger)
    {
        _keys = [.. options.Value.ApiKeys
            .SelectMany(role => role.Value
                .Where(named => !string.IsNullOrWhiteSpace(named.Value))
                .Select(named => (Digest(named.Value), new ApiKeyIdentity(ActorName(role.Key, named.Key), role.Key))))];
        if (_keys.Length == 0)
        {
            logger.LogWarning(
                "No management API keys are configured; every management call will be refused. Set Management:ApiKeys:<Reader|Operator|Admin>:<name> = <key>");
        }
    }

    public int Count => _keys.Length;

    public ApiKeyIdentity? Find(string presentedKey)
    {
        var presented = Digest(presentedKey);
        ApiKeyIdentity? match = null;
        foreach (var (digest, identity) in _keys)
        {
            // No early exit: the loop takes as long whichever key (if any) matches.
            if (CryptographicOperations.FixedTimeEquals(presented, digest))
            {
                match = identity;
            }
        }

        return match;
    }

    /// <summary>A short, non-reversible tag of a key for the security audit: enough to correlate, never the key.</summary>
    public static string Fingerprint(string presentedKey) => Convert.ToHexStringLower(Digest(presentedKey))[..12];

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    // Keys configured as a list (Admin:0, Admin:1) have no name of their own.
    private static string ActorName(ManagementRole role, string name) =>
        name.All(char.IsAsciiDigit) ? $"{role.ToString().ToLowerInvariant()}-key-{name}" : name;
}
