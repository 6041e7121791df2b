using System.Security.Cryptography;
using System.Text;

namespace MlopsAspire.ServiceDefaults;

/// <summary>How a presented API key is digested, the same for the key table and for audit fingerprints.</summary>
public static class ApiKeyDigest
{
    /// <summary>The SHA-256 digest of a key, surrounding white space ignored.</summary>
    public static byte[] Of(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()));

    /// <summary>A short, non-reversible tag of a key for audit logs: enough to correlate, never the key.</summary>
    public static string Fingerprint(string presentedKey) => Convert.ToHexStringLower(Of(presentedKey))[..12];
}
