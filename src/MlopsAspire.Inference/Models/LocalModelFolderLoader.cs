using Microsoft.Extensions.Options;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// Serves the models of a local Triton-style folder, <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> with
/// numeric versions; each model's highest version is its default. Everything found is loaded at startup; after
/// that the protocol's repository load and unload calls change the set (see <see cref="LocalModelFolder"/>).
/// </summary>
public sealed class LocalModelFolderLoader(
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
            logger.LogWarning(
                "Neither a 'store' connection string nor Inference:ModelRepository is configured; this replica serves no models");
            repository.SetReady(true);
            return;
        }

        var allLoaded = await folder.LoadAllAsync(stoppingToken);
        if (allLoaded)
        {
            logger.LogInformation("Serving {Count} model versions from {Root}", repository.LoadedModels.Count, root);
        }
        else
        {
            logger.LogError("Some models under {Root} failed to load; the replica stays not ready", root);
        }
    }
}
