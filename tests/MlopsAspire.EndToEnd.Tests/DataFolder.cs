namespace MlopsAspire.EndToEnd.Tests;

/// <summary>The data folder of a stopped platform, removed once its store has finished writing to it.</summary>
internal static class DataFolder
{
    /// <summary>
    /// A stopped store may still be writing its checkpoint (up to its shutdown grace and the checkpoint itself), and a
    /// file it creates while the folder is being deleted fails the deletion: try again until the folder is gone.
    /// Each platform run leaves a couple of hundred megabytes behind otherwise. A folder still in use after 30 s is
    /// left, and said so: cleaning up is not what the tests check.
    /// </summary>
    public static async Task DeleteAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Directory.Exists(path))
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    await Console.Error.WriteLineAsync($"left {path}: {exception.Message}");
                    return;
                }

                await Task.Delay(250);
            }
        }
    }
}
