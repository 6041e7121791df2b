using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MlopsAspire.Inference.Models;

namespace MlopsAspire.Inference.Tests;

/// <summary>The default artifact cache under the temp folder does not outlive the replicas that filled it.</summary>
public sealed class TemporaryArtifactCacheFolderTests : IDisposable
{
    private readonly string _parent = Path.Combine(Path.GetTempPath(), "mlopsaspire-cache-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_starting_replica_removes_the_folders_of_processes_that_are_gone_and_a_stopping_one_its_own()
    {
        var own = Folder($"{TemporaryArtifactCacheFolder.FolderPrefix}{Environment.ProcessId}");
        var gone = Folder($"{TemporaryArtifactCacheFolder.FolderPrefix}{ExitedProcessId()}");
        var unrelated = Folder("something-else");
        var cache = new TemporaryArtifactCacheFolder(own, NullLogger<TemporaryArtifactCacheFolder>.Instance);

        await cache.StartAsync(CancellationToken.None);

        Assert.False(Directory.Exists(gone));
        Assert.True(Directory.Exists(own));
        Assert.True(Directory.Exists(unrelated));

        await cache.StopAsync(CancellationToken.None);

        Assert.False(Directory.Exists(own));
        Assert.True(Directory.Exists(unrelated));
    }

    [Fact]
    public async Task With_a_configured_cache_folder_nothing_is_removed()
    {
        var gone = Folder($"{TemporaryArtifactCacheFolder.FolderPrefix}{ExitedProcessId()}");
        var options = new InferenceOptions { ArtifactCacheDirectory = _parent };
        var cache = TemporaryArtifactCacheFolder.For(options, NullLogger<TemporaryArtifactCacheFolder>.Instance);

        await cache.StartAsync(CancellationToken.None);
        await cache.StopAsync(CancellationToken.None);

        Assert.True(Directory.Exists(gone));
        Assert.Equal(_parent, options.ResolveArtifactCacheDirectory());
    }

    private string Folder(string name)
    {
        var path = Path.Combine(_parent, name);
        Directory.CreateDirectory(path);
        File.WriteAllBytes(Path.Combine(path, "model.onnx"), [1, 2, 3]);
        return path;
    }

    /// <summary>The id of a process that ran and exited.</summary>
    private static int ExitedProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    public void Dispose()
    {
        if (Directory.Exists(_parent))
        {
            Directory.Delete(_parent, recursive: true);
        }
    }
}
