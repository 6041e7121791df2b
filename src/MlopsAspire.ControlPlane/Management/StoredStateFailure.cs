using Orleans.Persistence.Redis;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Recognises a grain that could not activate because its stored state could not be read, and says so with the
/// grain and storage key (the storage provider's own message), instead of a bare "Exception was thrown by handler".
/// </summary>
public static class StoredStateFailure
{
    /// <summary>What could not be read and why, or null when <paramref name="exception"/> is not a storage read failure.</summary>
    public static string? Describe(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is RedisStorageException storage)
            {
                return $"stored state could not be read: {storage.Message}";
            }
        }

        return null;
    }
}
