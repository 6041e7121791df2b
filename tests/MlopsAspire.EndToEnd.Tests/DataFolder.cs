namespace MlopsAspire.EndToEnd.Tests;

/// <summary>The data folder of a stopped platform, removed once its store has finished writing to it.</summary>
internal static class DataFolder
{
    /// <summary>
    /// Deletes a stopped platform's data folder once its processes have exited (at most a minute). A stopped store
    /// still serves its clients for up to its shutdown grace (4 s) and then writes its checkpoint, creating the
    /// folder again if it was already deleted, so deleting before it is gone would leave it behind. A folder still
    /// there after that is left, and said so: cleaning up is not what the tests check.
    /// </summary>
    public static async Task DeleteAsync(string path, IReadOnlyList<System.Diagnostics.Process> processes)
    {
        var running = await PlatformProcesses.WaitForExitAsync(processes, TimeSpan.FromMinutes(1));
        if (running.Count > 0)
        {
            await Console.Error.WriteLineAsync($"left {path}: {running.Count} of the platform's processes were still running a minute after it stopped");
            return;
        }

        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"left {path}: {exception.Message}");
        }
    }
}
