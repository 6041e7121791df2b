using System.Security.Cryptography;

namespace MlopsAspire.ServiceDefaults;

/// <summary>
/// API keys held as SHA-256 digests, each with what it stands for. A lookup compares the presented key with every
/// digest in constant time and without an early exit, so timing reveals neither a key nor which one matched.
/// </summary>
public sealed class ApiKeyDigests<TIdentity>(IEnumerable<(string Key, TIdentity Identity)> keys)
    where TIdentity : class
{
    private readonly (byte[] Digest, TIdentity Identity)[] _keys =
        [.. keys.Where(entry => !string.IsNullOrWhiteSpace(entry.Key)).Select(entry => (ApiKeyDigest.Of(entry.Key), entry.Identity))];

    public int Count => _keys.Length;

    /// <summary>What <paramref name="presentedKey"/> stands for, or null when it is not one of the keys.</summary>
    public TIdentity? Find(string presentedKey)
    {
        var presented = ApiKeyDigest.Of(presentedKey);
        TIdentity? match = null;
        foreach (var (digest, identity) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, digest))
            {
                match = identity;
            }
        }

        return match;
    }
}
