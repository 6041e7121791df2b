namespace MlopsAspire.EndToEnd.Tests;

/// <summary>Waiting for something the platform does in its own time.</summary>
internal static class Eventually
{
    /// <summary>
    /// Asks <paramref name="probe"/> every half second until it answers; <paramref name="patience"/> is a safety net
    /// only (the test waits for the event, not for a time).
    /// </summary>
    public static async Task<T> Async<T>(Func<Task<T?>> probe, TimeSpan patience)
        where T : class
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "the platform did not get there in time");
            await Task.Delay(500);
        }
    }
}
