using StackExchange.Redis;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// A grain's state as the store holds it, read and written past the grain: what a restarted silo, or one killed
/// before it could write again, would find.
/// </summary>
internal static class StoredGrainState
{
    public static async Task<string> ReadAsync(string storeEndpoint, string grainKey, string stateName)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(storeEndpoint);
        var key = await KeyAsync(connection, grainKey, stateName);
        return (await connection.GetDatabase().HashGetAsync(key, "data")).ToString();
    }

    public static async Task OverwriteAsync(string storeEndpoint, string grainKey, string stateName, string json)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(storeEndpoint);
        var key = await KeyAsync(connection, grainKey, stateName);
        await connection.GetDatabase().HashSetAsync(key, "data", json);
    }

    /// <summary>
    /// Reads the stored state until it satisfies <paramref name="written"/>: for writes the grain makes on its own
    /// (a timer, the host stopping) rather than before it answers. Fails after a minute without such a write.
    /// </summary>
    public static async Task<string> WaitForAsync(string storeEndpoint, string grainKey, string stateName, Func<string, bool> written, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            var stored = await ReadAsync(storeEndpoint, grainKey, stateName);
            if (written(stored))
            {
                return stored;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{grainKey}: {what} was never written");
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>The Redis key Orleans keeps a grain's state under: <c>{service}/state/{grain type}/{grain key}/{state name}</c>.</summary>
    private static async Task<RedisKey> KeyAsync(ConnectionMultiplexer connection, string grainKey, string stateName)
    {
        var server = connection.GetServer(connection.GetEndPoints().Single());
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: $"*/state/*/{grainKey}/{stateName}"))
        {
            keys.Add(key);
        }

        return Assert.Single(keys);
    }
}
