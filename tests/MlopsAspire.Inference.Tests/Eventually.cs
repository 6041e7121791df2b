namespace MlopsAspire.Inference.Tests;

/// <summary>Waits in tests for what background work (shadow threads, publishers, sync loops) brings about.</summary>
internal static class Eventually
{
    public static Task Until(Func<bool> condition, string what = "condition") =>
        Until(() => Task.FromResult(condition()), what);

    public static async Task Until(Func<Task<bool>> condition, string what = "condition")
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within 30 s: {what}");
            await Task.Delay(10);
        }
    }
}
