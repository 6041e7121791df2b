using StackExchange.Redis;

namespace MlopsAspire.Artifacts;

/// <summary>One holder's pin on an artifact (see <see cref="ArtifactStore.PinAsync"/>); disposing it lets the artifact be collected again.</summary>
public sealed class ArtifactPin : IAsyncDisposable
{
    private readonly IDatabase database;
    private int disposed;

    internal ArtifactPin(IDatabase database, RedisKey key, string token)
    {
        this.database = database;
        Key = key;
        Token = token;
    }

    internal RedisKey Key { get; }

    internal string Token { get; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            // The last holder's removal deletes the set, which is what a delete waits for.
            await database.SetRemoveAsync(Key, Token).ConfigureAwait(false);
        }
    }
}
