namespace MlopsAspire.EndToEnd.Tests;

/// <summary>The data folder of a stopped platform, removed once its store has finished writing to it.</summary>
internal static class DataFolder
{
    /// <summary>
    /// The tests stop a platform without waiting for its processes to exit, and a stopped store still serves its
    /// clients for up to its shutdown grace (4 s) before it writes its checkpoint, creating the folder again if it was
    /// already deleted. So the folder is deleted until it has stayed away for twice that grace, or a minute has passed.
    /// Each platform run leaves a couple of hundred megabytes behind otherwise. A folder still there after a minute is
    /// left, and said so: cleaning up is not what the tests check.
    /// </summary>
    public static async Task DeleteAsync(string path)
    {
        var quietFor = TimeSpan.FromSeconds(8);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        var goneSince = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline)
        {
            if (!Directory.Exists(path))
            {
                goneSince = goneSince == DateTime.MaxValue ? DateTime.UtcNow : goneSince;
                if (DateTime.UtcNow - goneSince >= quietFor)
                {
                    return;
                }
            }
            else
            {
                goneSince = DateTime.MaxValue;
                try
                {
                    Directory.Delete(path, recursive: true);
                    continue;
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // The store is writing into it right now; try again shortly.
                }
            }

            await Task.Delay(250);
        }

        if (Directory.Exists(path))
        {
            await Console.Error.WriteLineAsync($"left {path}: the store was still writing to it a minute after the platform stopped");
        }
    }
}
