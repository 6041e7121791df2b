using Microsoft.Extensions.Options;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// Serves the models of a local Triton-style folder, <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> with
/// numeric versions; each model's highest version is its default. Everything found is loaded at startup; after
/// that the protocol's repository load and unload calls change the set (see <see cref="LocalModelFolder"/>).
/// </summary>
public sealed partial class LocalModelFolderLoader(
    LocalModelFolder folder,
    ModelRepository repository,
    IOptions<InferenceOptions> options,
    ILogger<LocalModelFolderLoader> logger) : BackgroundService
{
    public const string ModelFileName = LocalModelFolder.ModelFileName;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var root = options.Value.ModelRepository;
        if (string.IsNullOrWhiteSpace(root))
        {
            LogNoModelSource();
            repository.SetReady(true);
            return;
        }

        var allLoaded = await folder.LoadAllAsync(stoppingToken);
        if (allLoaded)
        {
            LogServing(repository.LoadedModels.Count, root);
        }
        else
        {
            LogSomeFailed(root);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Neither a 'store' connection string nor Inference:ModelRepository is configured; this replica serves no models")]
    private partial void LogNoModelSource();

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving {Count} model versions from {Root}")]
    private partial void LogServing(int count, string root);

    [LoggerMessage(Level = LogLevel.Error, Message = "Some models under {Root} failed to load; the replica stays not ready")]
    private partial void LogSomeFailed(string root);
}
