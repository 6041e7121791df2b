using Microsoft.Extensions.Options;
using MlopsAspire.Serving;

namespace MlopsAspire.Inference;

/// <summary>
/// Serves the models of a local Triton-style folder, <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c> with
/// numeric versions; each model's highest version is its default. Loaded once at startup.
/// </summary>
public sealed class LocalModelFolderLoader(
    ModelSetReconciler reconciler,
    ModelRepository repository,
    IOptions<InferenceOptions> options,
    ILogger<LocalModelFolderLoader> logger) : BackgroundService
{
    public const string ModelFileName = "model.onnx";

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

        var (desired, defaults) = Scan(root);
        var allLoaded = await reconciler.ApplyAsync(
            desired,
            defaults,
            (version, _) => Task.FromResult(Path.Combine(root, version.Model, version.Version, ModelFileName)),
            stoppingToken);
        repository.SetReady(allLoaded);
        if (allLoaded)
        {
            logger.LogInformation("Serving {Count} model versions from {Root}", desired.Count, root);
        }
        else
        {
            logger.LogError("Some models under {Root} failed to load; the replica stays not ready", root);
        }
    }

    private (List<DesiredVersion> Desired, Dictionary<string, string?> Defaults) Scan(string root)
    {
        var desired = new List<DesiredVersion>();
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
        {
            logger.LogWarning("Model repository folder {Root} does not exist", root);
            return (desired, defaults);
        }

        foreach (var modelDirectory in Directory.EnumerateDirectories(root))
        {
            var model = Path.GetFileName(modelDirectory);
            (long Number, string Name)? highest = null;
            foreach (var versionDirectory in Directory.EnumerateDirectories(modelDirectory))
            {
                var version = Path.GetFileName(versionDirectory);
                var file = Path.Combine(versionDirectory, ModelFileName);
                if (!long.TryParse(version, out var number) || number < 0 || !File.Exists(file))
                {
                    logger.LogWarning("Skipping {Folder}: versions are numeric folders holding {File}", versionDirectory, ModelFileName);
                    continue;
                }

                desired.Add(new DesiredVersion(model, version, $"{file}@{File.GetLastWriteTimeUtc(file).Ticks}"));
                if (highest is null || number > highest.Value.Number)
                {
                    highest = (number, version);
                }
            }

            if (highest is not null)
            {
                defaults[model] = highest.Value.Name;
            }
        }

        return (desired, defaults);
    }
}
