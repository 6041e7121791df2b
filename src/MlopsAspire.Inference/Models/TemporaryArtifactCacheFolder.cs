using System.Diagnostics;
using System.Globalization;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// Looks after the default artifact cache, one folder per replica process under the system temp folder
/// (<see cref="InferenceOptions.ResolveArtifactCacheDirectory"/>): a replica that stops removes its own, and one that
/// starts removes those of processes that are gone (killed, crashed). Without it every platform run left each
/// replica's models behind, tens of megabytes a run. A configured <c>Inference:ArtifactCacheDirectory</c> is the
/// operator's to keep: nothing here touches it.
/// </summary>
/// <param name="folder">This process's temporary cache folder; null when a folder is configured (nothing to look after).</param>
public sealed partial class TemporaryArtifactCacheFolder(string? folder, ILogger<TemporaryArtifactCacheFolder> logger) : IHostedService
{
    /// <summary>The prefix of each process's folder; the process id follows it.</summary>
    public const string FolderPrefix = "replica-";

    /// <summary>The caretaker of the replica's cache as <paramref name="options"/> place it: idle for a configured folder.</summary>
    public static TemporaryArtifactCacheFolder For(InferenceOptions options, ILogger<TemporaryArtifactCacheFolder> logger) =>
        new(options.UsesTemporaryArtifactCache ? options.ResolveArtifactCacheDirectory() : null, logger);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (folder is not null && Path.GetDirectoryName(Path.GetFullPath(folder)) is { } parent)
        {
            foreach (var abandoned in Abandoned(parent))
            {
                TryDelete(abandoned);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (folder is not null)
        {
            TryDelete(folder);
        }

        return Task.CompletedTask;
    }

    /// <summary>The process folders under <paramref name="parent"/> whose process no longer runs.</summary>
    public static IEnumerable<string> Abandoned(string parent) =>
        Directory.Exists(parent)
            ? Directory.EnumerateDirectories(parent, FolderPrefix + "*")
                .Where(path => int.TryParse(Path.GetFileName(path).AsSpan(FolderPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
                .ToList()
            : [];

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Another replica's folder it could not remove, or files still open: left for a later start.
            LogNotRemoved(exception, path);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the artifact cache folder {Path}; a later start tries again")]
    private partial void LogNotRemoved(Exception exception, string path);
}
